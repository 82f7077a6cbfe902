// GitHub's language service: the diagnostics GitHub's own workflow parser gives, with our action.yml as the
// metadata of `stream-deploy/stream-deploy@REF` and the reusable workflow resolved from this checkout.
import type { ActionsMetadataProvider } from '@actions/languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ACTION_REPOSITORY,
  type CheckContext,
  type Problem,
  resolveWorkflow,
  REUSABLE_PATH,
  type Source,
} from './context';

/** Our action.yml in the shape the language service wants; any other owner of `stream-deploy` is unknown. */
function metadataProvider(context: CheckContext): ActionsMetadataProvider {
  return {
    async fetchActionMetadata(ref) {
      if (`${ref.owner}/${ref.name}` === ACTION_REPOSITORY && !ref.path) {
        const inputs = Object.fromEntries(
          Object.entries(context.action.inputs ?? {}).map(([name, input]) => [
            name,
            {
              description: input.description ?? '',
              required: input.required,
              default: input.default === undefined ? undefined : String(input.default),
              deprecationMessage: input.deprecationMessage,
            },
          ]),
        );
        return {
          name: context.action.name ?? 'stream-deploy',
          description: context.action.description ?? '',
          inputs,
        };
      }
      if (ref.name === 'stream-deploy') return undefined; // OWNER/stream-deploy and forks: one owner name everywhere
      // Third-party actions: their metadata is not fetched offline, so their inputs are not checked here.
      return { name: ref.name, description: '' };
    },
  };
}

let documents = 0;

/** The language service's message, plus what to do where it is about our own names. */
function withHint(message: string): string {
  if (
    /^Unable to resolve action `[^`/]+\/stream-deploy@/.test(message) ||
    message === 'Unable to find reusable workflow'
  )
    return `${message}; use ${ACTION_REPOSITORY}@REF or ${ACTION_REPOSITORY}/${REUSABLE_PATH}@REF`;
  return message;
}

/** Problems the language service finds in `source`, on the lines of the file a person edits. */
export async function languageServiceProblems(
  source: Source,
  context: CheckContext,
  offset: number,
  partialInputs: boolean,
): Promise<Problem[]> {
  // Imported when used: the language service is ESM-only and `npm run check-workflows` runs this file as CommonJS.
  const { validate } = await import('@actions/languageservice');
  // The language service caches parses by URI: one URI per check, so snippets of one file never share one.
  documents += 1;
  const uri = `file:///${source.file}/${source.firstLine}/${documents}.yml`;
  const document = TextDocument.create(uri, 'yaml', 1, source.text);
  const diagnostics = await validate(document, {
    actionsMetadataProvider: metadataProvider(context),
    fileProvider: {
      async getFileContent(ref) {
        const found = resolveWorkflow(context, ref);
        if (!found) throw new Error(`no local copy of ${JSON.stringify(ref)}`);
        return { name: found.path, content: found.text };
      },
    },
  });
  return diagnostics
    .filter((d) => d.severity === undefined || d.severity <= 2) // errors and warnings
    .map((d) => ({
      line: d.range.start.line,
      text: typeof d.message === 'string' ? d.message : d.message.value,
    }))
    .filter((d) => !(partialInputs && /^Missing required input/.test(d.text)))
    .map((d) => ({
      file: source.file,
      line: source.firstLine + Math.max(0, d.line - offset),
      message: withHint(d.text),
    }));
}
