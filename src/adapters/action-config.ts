// The step's inputs and the GitHub context, read the same way by the main and post steps.
import { getInput } from './runner-commands';
import { parseInputs } from '../inputs';
import { readRunContext } from './github-context';
import type { DeployConfig, RunContext } from '../core/config';

/** Reads the GitHub context and parses the inputs; throws InputError listing every problem. */
export function readActionConfig(): { context: RunContext; config: Readonly<DeployConfig> } {
  const context = readRunContext(process.env);
  // env_vars keeps its last value's trailing spaces; parseInputs trims everything else itself.
  // `project_id` falls back to the project google-github-actions/auth exported (PROJECT_ENV).
  const config = parseInputs(
    (name) => getInput(name, { trimWhitespace: name !== 'env_vars' }),
    context,
    process.env,
  );
  return { context, config };
}
