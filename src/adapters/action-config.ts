// The step's inputs and the GitHub context, read the same way by the main and post steps.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { getInput } from './runner-commands';
import { parseInputs } from '../inputs';
import { readRunContext } from './github-context';
import type { DeployConfig, RunContext } from '../core/config';

/** Reads the GitHub context and parses the inputs; throws InputError listing every problem. */
export async function readActionConfig(): Promise<{ context: RunContext; config: Readonly<DeployConfig> }> {
  const context = readRunContext(process.env);
  // The YAML parser loads only for a `metadata` file, so a bad input without one is refused at once.
  const translate =
    getInput('metadata') !== '' ? (await import('../inputs/knative/translate')).translateKnative : undefined;
  // env_vars keeps its last value's trailing spaces; parseInputs trims everything else itself.
  // `project_id` falls back to the project google-github-actions/auth exported (PROJECT_ENV).
  const config = parseInputs(
    (name) => getInput(name, { trimWhitespace: name !== 'env_vars' }),
    context,
    process.env,
    translate && {
      // `metadata` is a path from the workspace, as every path input of an action is.
      readFile: (path: string) =>
        readFileSync(isAbsolute(path) ? path : resolve(process.env.GITHUB_WORKSPACE ?? '.', path), 'utf8'),
      translate,
    },
  );
  return { context, config };
}
