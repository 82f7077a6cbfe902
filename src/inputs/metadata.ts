// `metadata`: a Cloud Run Knative service.yaml or Job file read through the one mapping table
// (knative/mapping.ts). Its settings become the inputs they map to, typed inputs given beside it win (but not
// a `mode` that contradicts its `kind`), and every finding names `file:line`. The file's text comes from the
// caller's reader: nothing here touches the file system.
import type { MetadataExtras } from '../core/config';
import type { KnativeTranslation } from './knative/translate';
import { type InputName, type Problems, show } from './shared';

export interface MetadataInputs {
  /** The inputs as given, with the file's values where an input was left empty. */
  read: (name: InputName) => string;
  extras?: MetadataExtras;
  /** The inputs whose value came from the file, with the line it came from. */
  origins: Record<string, string>;
}

/** How `metadata` is read: the file system and the translator come from the caller, which loads the YAML
 * parser only when `metadata` is given (a bad input is refused before it loads, bench/RESULTS.md). */
export interface MetadataFiles {
  readFile: (path: string) => string;
  translate: (text: string, file: string) => KnativeTranslation;
}

const EXPECTED =
  'a path from the workspace to a Cloud Run service.yaml (`apiVersion: serving.knative.dev/v1`) or Job file (`apiVersion: run.googleapis.com/v1`)';

/** Reads `metadata`, if given, and lays the file's settings under the inputs. */
export function readMetadata(
  read: (name: InputName) => string,
  files: MetadataFiles | undefined,
  problems: Problems,
): MetadataInputs {
  const path = (read('metadata') ?? '').trim();
  if (path === '') return { read, origins: {} };
  let text: string;
  try {
    if (!files) throw new Error('no file reader here');
    text = files.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    problems.add(
      'metadata',
      `cannot read ${show(path)}: ${why}`,
      `${EXPECTED}; check it out first (actions/checkout)`,
    );
    return { read, origins: {} };
  }
  const file = path.replace(/^\.\//, '');
  const t = files.translate(text, file);
  for (const e of t.errors) problems.addFinding('metadata', e);
  for (const w of t.warnings) problems.warn('metadata', w);
  const given = (name: InputName) => (read(name) ?? '').trim() !== '';
  refuseModeConflict(t, (read('mode') ?? '').trim(), file, problems);
  const origins: Record<string, string> = {};
  for (const [input, origin] of Object.entries(t.origins)) {
    if (input === 'mode' && given('mode')) continue;
    if (!given(input as InputName)) origins[input] = origin;
    else if ((read(input as InputName) ?? '').trim() !== t.inputs[input].trim())
      problems.warn(input as InputName, `given as an input, it wins over ${origin} in \`metadata\``);
  }
  problems.origins = origins;
  return {
    read: (name) => (given(name) ? read(name) : (t.inputs[name] ?? read(name) ?? '')),
    extras: t.extras,
    origins,
  };
}

/** A Job file deploys a job (`mode: job`, the default with it); a service.yaml never does. */
function refuseModeConflict(t: KnativeTranslation, mode: string, file: string, problems: Problems): void {
  if (t.kind === 'job' && mode !== '' && mode !== 'job')
    problems.addFinding(
      'mode',
      `is \`${mode}\`, but \`metadata\` ${show(file)} is a Cloud Run Job (${(t.origins.mode ?? file).split(' ')[0]}: \`kind: Job\`), which only \`mode: job\` deploys; leave \`mode\` out (a Job file means \`job\`) or give a service.yaml`,
    );
  if (t.kind === 'service' && mode === 'job')
    problems.addFinding(
      'mode',
      `is \`job\`, but \`metadata\` ${show(file)} is a Cloud Run service (\`kind: Service\`); give a Job file (\`apiVersion: run.googleapis.com/v1\`, \`kind: Job\`) or leave \`mode\` out`,
    );
}
