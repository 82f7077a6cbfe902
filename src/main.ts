// Composition root: reads the inputs and the GitHub context, builds the real adapters, calls run(), and
// writes the outputs. The only place that fails the step. Google's libraries load only after the inputs
// are valid, so a bad input is refused quickly and before any network call.
import * as core from '@actions/core';
import { parseInputs } from './inputs';
import { readRunContext } from './adapters/github-context';
import { actionsLog } from './adapters/log';
import { writeOutputs } from './outputs';

async function main(): Promise<void> {
  let failure: string | undefined;
  try {
    const context = readRunContext(process.env);
    // env_vars keeps its last value's trailing spaces; parseInputs trims everything else itself.
    const config = parseInputs(
      (name) => core.getInput(name, { trimWhitespace: name !== 'env_vars' }),
      context,
    );
    const { createGoogleAuth, resolveEndpoints } = await import('./adapters/google-auth');
    const { createCloudRun } = await import('./adapters/cloud-run');
    const { run } = await import('./run');
    const { createSmokeProbe } = await import('./adapters/smoke-probe');
    const { sampleRevisions } = await import('./adapters/revision-sampler');
    const { saveRecord } = await import('./adapters/release-state');
    const endpoints = resolveEndpoints(process.env);
    const auth = createGoogleAuth({
      workloadIdentityProvider: config.workloadIdentityProvider,
      serviceAccount: config.serviceAccount,
      env: process.env,
      endpoints: endpoints.google,
      mask: (secret) => core.setSecret(secret),
    });
    core.info(`Authenticating with ${auth.describe()}.`);
    // Fail early, with the auth adapter's explanation, before any Cloud Run call.
    await auth.client().getAccessToken();
    const cloudRun = createCloudRun({
      authClient: auth.client(),
      endpoint: endpoints.runApi,
      operationTimeoutSeconds: config.deployTimeoutSeconds,
      project: config.projectId,
    });
    try {
      const log = actionsLog();
      const result = await run(config, context, {
        cloudRun,
        log,
        smoke: {
          run: (url, criteria, allowedOrigins, idToken) =>
            createSmokeProbe({ allowedOrigins, log: (line) => log.debug(line) }).run(
              url,
              criteria,
              idToken ? { idToken } : undefined,
            ),
          sample: sampleRevisions,
        },
        idToken: (audience) => auth.idToken(audience),
        saveRecord,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => Date.now(),
      });
      writeOutputs((name, value) => core.setOutput(name, value), {
        url: result.url,
        tagUrl: result.tagUrl,
        revision: result.revision,
        previousRevision: result.previousRevision ?? '',
        traffic: JSON.stringify(result.traffic),
        smokeResult: result.smoke ? JSON.stringify(result.smoke) : undefined,
        verdict: result.verdict,
      });
      failure = result.failure;
    } finally {
      await cloudRun.close();
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    // Bad inputs, auth, a failed deploy: the candidate never got traffic.
    writeOutputs((name, value) => core.setOutput(name, value), { verdict: 'failed' });
  }
  if (failure !== undefined) core.setFailed(failure);
}

void main();
