// The main step in `mode: job`, once the inputs are valid (main.ts has read them and started signing in):
// builds the jobs and logging adapters, runs the job orchestrator (src/job.ts), writes the outputs, the job
// summary, the sticky comment and the deployment (src/job-report-channels.ts), and returns the failure text
// for main.ts, which fails the step. Reporting failures are warnings, never the step's failure. The running
// execution and its report are kept in the runner's state so the post step can cancel it with the workflow
// and say so (docs/platform.md "Post step").
import * as core from '@actions/core';
import { actionsLog } from './adapters/log';
import { setOutput } from './adapters/runner-commands';
import type { DeployConfig, RunContext } from './core/config';
import type { GoogleCloud } from './adapters/google-cloud';
import { endJobReport, renderJobSummary, type JobEnding, type JobReport } from './core/job-report';
import type { JobReporter } from './job-reporter';
import type { JobsPort } from './ports';
import { writeOutputs } from './outputs';

/** The runner-state key of the execution the post step cancels when the job was cancelled. */
export const EXECUTION_STATE = 'job_execution';

export async function jobStep(
  config: Readonly<DeployConfig>,
  context: RunContext,
  connecting: Promise<GoogleCloud>,
): Promise<string | undefined> {
  const job = config.job!;
  // The report exists before sign-in is awaited, so a failed sign-in is reported like any other failure.
  const reporter = await startReporter(config, context);
  let connected: GoogleCloud;
  try {
    connected = await connecting;
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    writeOutputs(setOutput, { verdict: 'failed' });
    await report(config, reporter, { verdict: 'failed', failure });
    return failure;
  }
  const [{ runJob }, { connectJobs }] = await Promise.all([
    import('./job'),
    import('./adapters/cloud-run-jobs'),
  ]);
  const client = connected.auth.client();
  const jobs = connectJobs(config, connected, job.name);
  const schedules = job.schedule
    ? (await import('./adapters/scheduler')).createScheduler({
        authClient: client,
        baseUrl: connected.observability.scheduler,
        project: config.projectId,
      })
    : undefined;
  // The first read of the execution this run started (right after it started) carries its console link:
  // the report says it runs, with the link, in one update.
  let started: string | undefined;
  const watched: JobsPort = {
    ...jobs,
    getExecution: async (name) => {
      const read = await jobs.getExecution(name);
      if (name === started) {
        started = undefined;
        reporter?.update({ phase: 'running', execution: name, ...(read.logUri && { logUri: read.logUri }) });
      }
      return read;
    },
  };
  const outcome = await runJob(config, context, {
    jobs: watched,
    ...(schedules && { schedules }),
    log: actionsLog(),
    saveExecution: (name) => {
      if (name) started = name;
      core.saveState(EXECUTION_STATE, name ?? '');
    },
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
  await report(config, reporter, outcome);
  return outcome.failure;
}

/** The job run's reporter; a reporter that cannot be built is a warning and the run goes on without it. */
async function startReporter(
  config: Readonly<DeployConfig>,
  context: RunContext,
): Promise<JobReporter | undefined> {
  try {
    const { createJobReporter } = await import('./job-report-channels');
    return await createJobReporter(config, context);
  } catch (error) {
    core.warning(`Could not start the job's GitHub report: ${(error as Error).message}. The job goes on.`);
    return undefined;
  }
}

/** The final report: the comment and the deployment (sent while the summary is written), then the job summary. */
async function report(
  config: Readonly<DeployConfig>,
  reporter: JobReporter | undefined,
  ending: JobEnding,
): Promise<void> {
  const base: JobReport = reporter?.current() ?? {
    project: config.projectId,
    region: config.region,
    job: config.job!.name,
    image: config.image,
    phase: 'writing',
  };
  const final = endJobReport(base, ending);
  reporter?.update(final);
  const published = reporter?.flush();
  if (config.reporting.summary) {
    try {
      await core.summary.addRaw(renderJobSummary(reporter?.current() ?? final)).write();
    } catch (error) {
      core.warning(`Could not write the job summary: ${(error as Error).message}`);
    }
  }
  await published?.catch((error: Error) =>
    core.warning(`Could not publish the job report: ${error.message}`),
  );
}
