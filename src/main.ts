// Composition root of the main step and the only place that fails it: reads the inputs and the GitHub
// context, and only when they are valid loads the release step (@actions/core, Octokit, Google's
// libraries). A bad input is refused before any of that loads and before any network call, within about
// twice a bare `node -e 0` (bench/RESULTS.md).
import { readActionConfig } from './adapters/action-config';
import { setFailed, setOutput } from './adapters/runner-commands';
import { writeOutputs } from './outputs';

async function main(): Promise<void> {
  let failure: string | undefined;
  try {
    const { context, config } = readActionConfig();
    const { releaseStep } = await import('./release-step');
    failure = await releaseStep(config, context);
  } catch (error) {
    // Bad inputs (every problem at once): nothing ran, nothing changed.
    failure = error instanceof Error ? error.message : String(error);
    writeOutputs(setOutput, { verdict: 'failed' });
  }
  if (failure !== undefined) setFailed(failure);
}

void main();
