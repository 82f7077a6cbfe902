// The step's inputs and the GitHub context, read the same way by the main and post steps.
import * as core from '@actions/core';
import { parseInputs } from '../inputs';
import { readRunContext } from './github-context';
import type { DeployConfig, RunContext } from '../core/config';

/** Reads the GitHub context and parses the inputs; throws InputError listing every problem. */
export function readActionConfig(): { context: RunContext; config: Readonly<DeployConfig> } {
  const context = readRunContext(process.env);
  // env_vars keeps its last value's trailing spaces; parseInputs trims everything else itself.
  const config = parseInputs((name) => core.getInput(name, { trimWhitespace: name !== 'env_vars' }), context);
  return { context, config };
}
