// The job orchestrator (`mode: job`): reads the job, writes it (created, or replaced whole from the live job
// with the inputs' changes: the Jobs API has no update mask), executes it with the execution's overrides,
// waits by polling the Execution until it ends or the deadline (then cancels it), and explains each failed
// task by index, exit code or signal, attempts and its last ERROR lines. Decisions in core/job-plan.ts and
// core/job-outcome.ts; I/O through the ports. Never throws for a known ending: returns a JobOutcome.
import type { DeployConfig, RunContext } from './core/config';
import { jobName, planJob, runOverrides } from './core/job-plan';
import { describeExecution, executionStatus, shortName, type ExecutionOutcome } from './core/job-outcome';
import { StepError } from './errors';
import { planSchedule } from './core/job-schedule';
import type { JobsPort, Log, SchedulesPort } from './ports';

export type JobVerdict = 'succeeded' | 'failed' | 'cancelled' | 'deployed';

export interface JobOutcome {
  verdict: JobVerdict;
  failure?: string;
  job: string;
  execution?: string;
  outcome?: ExecutionOutcome;
}

export interface JobPorts {
  jobs: JobsPort;
  log: Log;
  /** Keeps the running execution's name where the post step finds it, to cancel it with the workflow. */
  saveExecution(name: string | undefined): void;
  /** Cloud Scheduler, for `schedule`. */
  schedules?: SchedulesPort;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** Log lines kept per failed task. */
const LOG_LINES = 5;

export async function runJob(
  config: DeployConfig,
  context: RunContext,
  ports: JobPorts,
): Promise<JobOutcome> {
  const job = config.job;
  if (!job) throw new Error('runJob needs `mode: job` settings');
  const name = jobName(config, job);
  const { jobs, log } = ports;
  try {
    const current = await log.group(`Read job ${job.name} (${config.region})`, async () => {
      const found = await jobs.getJob(name);
      log.info(found ? `Found ${name}.` : `${name} does not exist yet.`);
      return found;
    });
    const plan = planJob(config, job, current, context);
    await log.group(`${plan.action === 'create' ? 'Create' : 'Update'} job ${job.name}`, async () => {
      for (const note of plan.notes) log.info(note);
      await jobs.applyJob(plan.desired, plan.action);
      log.info(`Job ${job.name} now runs ${config.image}.`);
    });
    const schedule = planSchedule(config, job);
    if (schedule)
      await log.group(`Schedule ${job.name}: ${schedule.schedule} (${schedule.timeZone})`, async () => {
        if (!ports.schedules) throw new Error('`schedule` needs a Cloud Scheduler client');
        const done = await ports.schedules.upsert(schedule);
        log.info(
          `Scheduler job ${schedule.name} ${done}: it calls jobs.run with an OAuth token of ${schedule.httpTarget.oauthToken.serviceAccountEmail}, which needs roles/run.invoker on job ${job.name} (run.jobs.run) and nothing else.`,
        );
      });
    if (job.execute === 'never') return { verdict: 'deployed', job: name };

    const overrides = runOverrides(job);
    const execution = await log.group(`Execute job ${job.name}`, async () => {
      const started = await jobs.runJob(name, overrides);
      ports.saveExecution(started);
      log.info(`Execution ${shortName(started)} started${overrides ? ' with overrides' : ''}.`);
      return started;
    });
    const outcome = await log.group(
      `Wait for ${shortName(execution)} (at most ${job.deadlineSeconds} s)`,
      () => waitFor(execution, job.deadlineSeconds, ports),
    );
    ports.saveExecution(undefined);
    log.info(outcome.summary);
    for (const f of outcome.failedTasks)
      for (const line of f.logLines) log.info(`  task ${f.index}: ${line}`);
    if (outcome.status === 'succeeded') return { verdict: 'succeeded', job: name, execution, outcome };
    const logs = outcome.logUri ? `\nLogs: ${outcome.logUri}` : '';
    return {
      verdict: outcome.status === 'cancelled' ? 'cancelled' : 'failed',
      failure: `${outcome.summary}${describeFailedLines(outcome)}${logs}`,
      job: name,
      execution,
      outcome,
    };
  } catch (err) {
    if (!(err instanceof StepError)) throw err;
    return { verdict: 'failed', failure: err.message, job: name };
  }
}

/** Polls the execution until it ends; past the deadline, cancels it and reports it as it then is. */
export async function waitFor(
  execution: string,
  deadlineSeconds: number,
  ports: JobPorts,
): Promise<ExecutionOutcome> {
  const { jobs, log } = ports;
  const deadline = ports.now() + deadlineSeconds * 1000;
  let wait = 500;
  let read = await jobs.getExecution(execution);
  let lastCounts = '';
  while (executionStatus(read) === 'running') {
    if (ports.now() > deadline) {
      log.warning(
        `Execution ${shortName(execution)} did not finish within ${deadlineSeconds} s: cancelling it.`,
      );
      await jobs.cancelExecution(execution);
      const stopBy = ports.now() + 60_000;
      do {
        await ports.sleep(1000);
        read = await jobs.getExecution(execution);
      } while (executionStatus(read) === 'running' && ports.now() < stopBy);
      break;
    }
    const counts = `${read.succeededCount ?? 0} succeeded, ${read.failedCount ?? 0} failed, ${read.runningCount ?? 0} running`;
    if (counts !== lastCounts) log.info(`Tasks: ${counts}.`);
    lastCounts = counts;
    await ports.sleep(wait);
    wait = Math.min(wait * 2, 5000);
    read = await jobs.getExecution(execution);
  }
  const tasks = await jobs.listTasks(execution);
  const first = describeExecution(read, tasks);
  const logs = new Map<number, string[]>();
  if (jobs.taskErrors)
    for (const f of first.failedTasks) {
      const got = await jobs.taskErrors(execution, f.index);
      if (got.kind === 'data') logs.set(f.index, got.value.slice(-LOG_LINES));
      else if (got.kind === 'denied') log.info(`Task ${f.index}'s logs are not readable: ${got.message}`);
    }
  const outcome = describeExecution(read, tasks, logs);
  if (executionStatus(read) === 'running')
    return {
      ...outcome,
      status: 'cancelled',
      summary: `${outcome.summary} It was cancelled at the deadline.`,
    };
  return outcome;
}

export function describeFailedLines(outcome: ExecutionOutcome): string {
  const lines = outcome.failedTasks.flatMap((f) => f.logLines.map((l) => `\n  task ${f.index}: ${l}`));
  return lines.length > 0 ? `\nLast ERROR lines:${lines.join('')}` : '';
}
