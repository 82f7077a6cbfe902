import * as core from '@actions/core';
import { parseInputs } from './inputs';

// Composition root: reads inputs, runs the pipeline, and is the only place that calls core.setFailed.
async function main(): Promise<void> {
  try {
    const inputs = parseInputs((name) => core.getInput(name));
    throw new Error(
      'stream-deploy: the deploy pipeline is not implemented in this version; nothing was deployed ' +
        `(inputs are valid: service ${inputs.service} in project ${inputs.projectId}, region ${inputs.region}).`,
    );
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

void main();
