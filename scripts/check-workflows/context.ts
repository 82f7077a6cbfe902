// What every part of the workflow checker shares: a problem and the text it is found in, the repository
// context (our action.yml and the workflow files), the one name the action goes by, and the local
// resolution of a called workflow.
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';

/** One problem, located in the file a person edits (for a snippet: the markdown file and its line). */
export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** Workflow text to check, with where its first line sits in `file`. */
export interface Source {
  file: string;
  /** 1-based line in `file` of the text's first line. */
  firstLine: number;
  text: string;
}

/** What the checker needs from the repository: our action's metadata and a way to read workflow files. */
export interface CheckContext {
  /** Parsed action.yml. */
  action: ActionYaml;
  /** Text of a workflow in this repository, by path from the root; undefined when absent. */
  readWorkflow(path: string): string | undefined;
}

/** The parts of action.yml the checker reads. */
export interface ActionYaml {
  name?: string;
  description?: string;
  inputs?: Record<
    string,
    { description?: string; required?: boolean; default?: unknown; deprecationMessage?: string }
  >;
}

/** The one owner and name the action, the reusable workflow and every snippet use. */
export const ACTION_REPOSITORY = 'stream-deploy/stream-deploy';
/** The reusable workflow, by its path in this repository. */
export const REUSABLE_PATH = '.github/workflows/stream-deploy.yml';

/** Resolves `stream-deploy/stream-deploy/.github/workflows/FILE@REF` and `./.github/workflows/FILE` locally. */
export function resolveWorkflow(
  context: CheckContext,
  ref: FileReference,
): { path: string; text: string } | undefined {
  const local = !('owner' in ref);
  if (!local && `${ref.owner}/${ref.repository}` !== ACTION_REPOSITORY) return undefined;
  const path = ref.path.replace(/^\.\//, '');
  const text = context.readWorkflow(path);
  return text === undefined ? undefined : { path, text };
}

/** A YAML mapping (not a list, not a scalar). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
