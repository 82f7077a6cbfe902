// The main step once its inputs are valid (main.ts has read them and started signing in): builds the
// real adapters, calls run(), writes the outputs and the report, and returns the failure text for main.ts,
// which fails the step. Loaded by main.ts only after the inputs passed, with @actions/core and the rest.
import * as core from '@actions/core';
import { actionsLog } from './adapters/log';
import { setOutput } from './adapters/runner-commands';
import { writeOutputs } from './outputs';
import type { DeployConfig, RunContext } from './core/config';
import type { GoogleCloud } from './adapters/google-cloud';
import { OUTCOME_TEXT, trafficOutcome as trafficOutcomeOf } from './core/report';
import { createReporter } from './report-channels';

/** Runs the release for valid inputs; resolves with the failure text (undefined when it succeeded). */
export async function releaseStep(
  config: Readonly<DeployConfig>,
  context: RunContext,
  connecting: Promise<GoogleCloud>,
): Promise<string | undefined> {
  let failure: string | undefined;
  let reporter: import('./reporter').Reporter | undefined;
  // The service's traffic read back after a failure, so the outputs and the report say where it is.
  let trafficAfterFailure: import('./core/cloud-run-types').TrafficTarget[] | undefined;
  // Whether this run sent Cloud Run any change, so a failure before that can say nothing moved.
  let wrote = false;
  try {
    // Sign-in was started by main.ts; its failure is awaited (and reported) below, once the reporter exists.
    reporter = await createReporter(config, context);
    const { run } = await import('./run');
    const { saveRecord } = await import('./adapters/release-state');
    // The probes (ws and the stream clients) load when the smoke test starts, while Cloud Run deploys.
    const probes = () =>
      Promise.all([import('./adapters/smoke-probe'), import('./adapters/revision-sampler')]);
    const connected = await connecting;
    const { auth } = connected;
    const { cacheIdTokens } = await import('./adapters/id-token-cache');
    const idTokens = cacheIdTokens((audience) => auth.idToken(audience));
    const cloudRun: typeof connected.cloudRun = {
      ...connected.cloudRun,
      applyService: (...args) => ((wrote = true), connected.cloudRun.applyService(...args)),
      setTraffic: (...args) => ((wrote = true), connected.cloudRun.setTraffic(...args)),
      setPublicAccess: (...args) => ((wrote = true), connected.cloudRun.setPublicAccess(...args)),
    };
    try {
      const log = actionsLog();
      const result = await run(config, context, {
        cloudRun,
        log,
        smoke: {
          run: async (url, criteria, allowedOrigins, idToken) => {
            const [{ createSmokeProbe }] = await probes();
            return createSmokeProbe({ allowedOrigins, log: (line) => log.debug(line) }).run(
              url,
              criteria,
              idToken ? { idToken } : undefined,
            );
          },
          sample: async (...args) => (await probes())[1].sampleRevisions(...args),
          status: async (...args) => (await probes())[1].statusOf(...args),
        },
        idToken: idTokens,
        saveRecord,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => Date.now(),
        report: (patch) => reporter!.update(patch),
      });
      // The outputs and the report say what serves as the run ends, read once more; the spec as a fallback.
      const { serviceName } = await import('./core/service-plan');
      const { servingTraffic } = await import('./core/traffic-plan');
      const live = await cloudRun.getService(serviceName(config)).catch(() => undefined);
      result.traffic = live ? servingTraffic(live) : result.traffic;
      writeOutputs(setOutput, {
        url: result.url,
        tagUrl: result.tagUrl,
        revision: result.revision,
        previousRevision: result.previousRevision ?? '',
        traffic: JSON.stringify(result.traffic),
        smokeResult: result.smoke ? JSON.stringify(result.smoke) : undefined,
        verdict: result.verdict,
      });
      failure = result.failure;
      const phase = (
        {
          promoted: 'promoted',
          canary: 'canary',
          candidate: 'candidate',
          rolled_back: 'rolled-back',
          failed: 'failed',
        } as const
      )[result.verdict];
      await reporter.update({
        phase,
        traffic: result.traffic,
        failure: result.failure,
        drainsBy: result.drainsBy,
      });
      sayWhereTrafficIs(reporter);
    } catch (error) {
      const [{ serviceName }, { servingTraffic }] = await Promise.all([
        import('./core/service-plan'),
        import('./core/traffic-plan'),
      ]);
      const live = await cloudRun.getService(serviceName(config)).catch(() => undefined);
      trafficAfterFailure = live && servingTraffic(live);
      throw error;
    } finally {
      await cloudRun.close();
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    // Auth, a refused call, a failed deploy: the outputs and the report say where traffic is.
    writeOutputs(setOutput, {
      verdict: 'failed',
      traffic: trafficAfterFailure && JSON.stringify(trafficAfterFailure),
    });
    await reporter?.update({
      phase: 'failed',
      failure,
      ...(trafficAfterFailure && { traffic: trafficAfterFailure }),
      ...(!wrote && { changedNothing: true }),
    });
    if (reporter) sayWhereTrafficIs(reporter);
  }
  // The report was published in the background as the release moved; the step ends once it is out.
  await reporter?.flush();
  return failure;
}

// One log line that says where the release left the traffic, in the report's words.
function sayWhereTrafficIs(reporter: import('./reporter').Reporter): void {
  const report = reporter.current();
  const outcome = trafficOutcomeOf(report);
  if (outcome) core.info(`Traffic ends ${OUTCOME_TEXT[outcome]}.`);
}
