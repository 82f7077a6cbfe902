// The main step in `mode: job`, once the inputs are valid (main.ts has read them and started signing in):
// builds the jobs and logging adapters, runs the job orchestrator (src/job.ts), writes the outputs and the
// job summary, and returns the failure text for main.ts, which fails the step. The running execution is
// kept in the runner's state so the post step can cancel it with the workflow (docs/platform.md "Post step").
import * as core from '@actions/core';
import { actionsLog } from './adapters/log';
import { setOutput } from './adapters/runner-commands';
import type { DeployConfig, RunContext } from './core/config';
import type { GoogleCloud } from './adapters/google-cloud';
import { renderJobSummary } from './core/job-report';
import { writeOutputs } from './outputs';

/** The runner-state key of the execution the post step cancels when the job was cancelled. */
export const EXECUTION_STATE = 'job_execution';

export async function jobStep(
  config: Readonly<DeployConfig>,
  context: RunContext,
  connecting: Promise<GoogleCloud>,
): Promise<string | undefined> {
  let connected: GoogleCloud;
  try {
    connected = await connecting;
  } catch (error) {
    writeOutputs(setOutput, { verdict: 'failed' });
    return error instanceof Error ? error.message : String(error);
  }
  const [{ runJob }, { connectJobs }] = await Promise.all([
    import('./job'),
    import('./adapters/cloud-run-jobs'),
  ]);
  const client = connected.auth.client();
  const job = config.job!;
  const jobs = connectJobs(config, connected, job.name);
  const schedules = job.schedule
    ? (await import('./adapters/scheduler')).createScheduler({
        authClient: client,
        baseUrl: connected.observability.scheduler,
        project: config.projectId,
      })
    : undefined;
  const outcome = await runJob(config, context, {
    jobs,
    ...(schedules && { schedules }),
    log: actionsLog(),
    saveExecution: (name) => core.saveState(EXECUTION_STATE, name ?? ''),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  });
  await connected.cloudRun.close();
  const o = outcome.outcome;
  writeOutputs(setOutput, {
    verdict: outcome.verdict,
    execution: outcome.execution,
    executionStatus: o?.status,
    tasks:
      o && JSON.stringify({ ...o.counts, failedTasks: o.failedTasks.map(({ logLines: _l, ...f }) => f) }),
    logUrl: o?.logUri,
  });
  if (config.reporting.summary) {
    try {
      await core.summary.addRaw(renderJobSummary(config, outcome)).write();
    } catch (error) {
      core.warning(`Could not write the job summary: ${(error as Error).message}`);
    }
  }
  return outcome.failure;
}
