// The main step once its inputs are valid (main.ts has read them and started signing in): builds the
// real adapters, calls run(), writes the outputs from its one outcome (the report follows its events),
// and returns the failure text for main.ts, which fails the step. Loaded by main.ts only after the
// inputs passed, with @actions/core and the rest.
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
  // Whether the release started (signed in), so a failure before it can say nothing moved.
  let started = false;
  try {
    // Sign-in was started by main.ts; its failure is awaited (and reported) below, once the reporter exists.
    reporter = await createReporter(config, context);
    const { run } = await import('./run');
    const { saveRecord } = await import('./adapters/release-state');
    const connected = await connecting;
    started = true;
    const { cloudRun } = connected;
    try {
      const log = actionsLog();
      const outcome = await run(
        config,
        context,
        await releasePorts(config, connected, log, {
          saveRecord,
          // The release's events reach the report as they land (core/release-events.ts foldReport).
          report: (patch) => reporter!.update(patch),
        }),
      );
      // Where the run could not read back what serves (a rollback that failed too), it is read once more.
      let traffic = outcome.traffic;
      if (!traffic) {
        const [{ serviceName }, { servingTraffic }] = await Promise.all([
          import('./core/service-plan'),
          import('./core/traffic-plan'),
        ]);
        const live = await cloudRun.getService(serviceName(config)).catch(() => undefined);
        traffic = live && servingTraffic(live);
        if (traffic) await reporter.update({ traffic });
      }
      writeOutputs(setOutput, {
        url: outcome.url,
        tagUrl: outcome.tagUrl,
        revision: outcome.revision,
        previousRevision: outcome.revision === undefined ? undefined : (outcome.previousRevision ?? ''),
        traffic: traffic && JSON.stringify(traffic),
        smokeResult: outcome.smoke ? JSON.stringify(outcome.smoke) : undefined,
        verdict: outcome.verdict,
      });
      failure = outcome.failure;
      sayWhereTrafficIs(reporter);
    } finally {
      await cloudRun.close();
    }
  } catch (error) {
    // Sign-in failed, or a defect: run() ends every known failure with an outcome. Nothing was sent to
    // Cloud Run when sign-in failed; a defect's report says only that the release failed.
    failure = error instanceof Error ? error.message : String(error);
    writeOutputs(setOutput, { verdict: 'failed' });
    await reporter?.update({ phase: 'failed', failure, ...(!started && { changedNothing: true }) });
    if (reporter) sayWhereTrafficIs(reporter);
  }
  // The report was published in the background as the release moved; the step ends once it is out.
  await reporter?.flush();
  return failure;
}

/**
 * The real ports of one release (one region's, in a multi-region release): the Cloud Run client signed in,
 * the probes (loaded when the smoke test starts, while Cloud Run deploys), the gates' readers this
 * config asks for, and where its record and report go.
 */
export async function releasePorts(
  config: Readonly<DeployConfig>,
  connected: GoogleCloud,
  log: import('./ports').Log,
  sinks: Pick<import('./ports').ReleasePorts, 'saveRecord' | 'report'>,
): Promise<import('./ports').ReleasePorts> {
  const probes = () => Promise.all([import('./adapters/smoke-probe'), import('./adapters/revision-sampler')]);
  const { auth, cloudRun } = connected;
  const { cacheIdTokens } = await import('./adapters/id-token-cache');
  return {
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
    ...(config.gates.panelStreams > 0 && { panel: await panelPort(log) }),
    ...((config.gates.metrics !== 'off' || config.gates.logs !== 'off') && {
      observability: await observabilityPort(config, connected),
    }),
    ...(config.loadBalancer.use !== 'off' && {
      loadBalancer: (await import('./adapters/compute')).createCompute({
        client: auth.client(),
        baseUrl: connected.observability.compute,
      }),
    }),
    ...(config.beforeRolloutJob && {
      jobs: (await import('./adapters/cloud-run-jobs')).connectJobs(
        config,
        connected,
        config.beforeRolloutJob.name,
      ),
    }),
    idToken: cacheIdTokens((audience) => auth.idToken(audience)),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    ...sinks,
  };
}

/** The stream-health panel's clients (adapters/stream-panel), progress lines at debug level. */
async function panelPort(log: import('./ports').Log): Promise<import('./ports').PanelPort> {
  const { createPanelPort } = await import('./adapters/stream-panel');
  return createPanelPort({ log: (line) => log.debug(line) });
}

/** Cloud Monitoring and Cloud Logging through the signed-in client, for this service in this region. */
async function observabilityPort(
  config: Readonly<DeployConfig>,
  { auth, observability }: GoogleCloud,
): Promise<import('./ports').ObservabilityPort> {
  const [{ createMonitoring }, { createCloudLogging }] = await Promise.all([
    import('./adapters/monitoring'),
    import('./adapters/cloud-logging'),
  ]);
  const client = auth.client();
  const monitoring = createMonitoring({ client, baseUrl: observability.monitoring });
  const logging = createCloudLogging({ client, baseUrl: observability.logging });
  const where = { project: config.projectId, region: config.region, service: config.service };
  return {
    requestCounts: (q) => monitoring.requestCounts({ ...where, ...q }),
    openStreams: (q) => monitoring.openStreams({ ...where, ...q }),
    sentBytes: (q) => monitoring.sentBytes({ ...where, ...q }),
    recentProblems: (revision, since, limit) => logging.recentProblems({ ...where, revision, since, limit }),
  };
}

// One log line that says where the release left the traffic, in the report's words.
function sayWhereTrafficIs(reporter: import('./reporter').Reporter): void {
  const report = reporter.current();
  const outcome = trafficOutcomeOf(report);
  if (outcome) core.info(`Traffic ends ${OUTCOME_TEXT[outcome]}.`);
}
