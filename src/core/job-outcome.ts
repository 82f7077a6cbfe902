// What an execution of a Cloud Run job came to, from the Execution and its Tasks as the v2 API reads them:
// its status, the counts, and each failed task by index with its exit code or signal, attempts and last
// ERROR lines (docs/platform.md "Cloud Run Jobs"). Pure.

export interface JobExecution {
  name: string;
  taskCount?: number;
  runningCount?: number;
  succeededCount?: number;
  failedCount?: number;
  cancelledCount?: number;
  retriedCount?: number;
  completionTime?: string;
  logUri?: string;
  conditions?: Array<{ type?: string; state?: string; reason?: string; message?: string }>;
  [field: string]: unknown;
}

export interface JobTask {
  name: string;
  index?: number;
  retried?: number;
  lastAttemptResult?: {
    status?: { code?: number; message?: string };
    exitCode?: number;
    termSignal?: number;
  };
  logUri?: string;
  [field: string]: unknown;
}

export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface FailedTask {
  index: number;
  /** The last attempt's exit code, or the signal that stopped it (a timeout's SIGTERM or SIGKILL). */
  exitCode?: number;
  signal?: number;
  attempts: number;
  message?: string;
  /** The last ERROR lines of the task, newest last, when the logs could be read. */
  logLines: string[];
}

export interface ExecutionOutcome {
  status: ExecutionStatus;
  counts: {
    tasks: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    retried: number;
    running: number;
  };
  failedTasks: FailedTask[];
  logUri?: string;
  /** One line for the log and the report. */
  summary: string;
}

/** Running until the Completed condition has a final state; then by that state and the counts. */
export function executionStatus(e: JobExecution): ExecutionStatus {
  const completed = e.conditions?.find((c) => c.type === 'Completed');
  const finished =
    e.completionTime !== undefined ||
    completed?.state === 'CONDITION_SUCCEEDED' ||
    completed?.state === 'CONDITION_FAILED';
  if (!finished) return 'running';
  if ((e.cancelledCount ?? 0) > 0 && (e.failedCount ?? 0) === 0) return 'cancelled';
  if (completed?.state === 'CONDITION_SUCCEEDED' && (e.failedCount ?? 0) === 0) return 'succeeded';
  return 'failed';
}

/** The execution's outcome; `logs` holds each failed task's ERROR lines by index, when read. */
export function describeExecution(
  e: JobExecution,
  tasks: readonly JobTask[],
  logs: ReadonlyMap<number, string[]> = new Map(),
): ExecutionOutcome {
  const status = executionStatus(e);
  const counts = {
    tasks: e.taskCount ?? tasks.length,
    succeeded: e.succeededCount ?? 0,
    failed: e.failedCount ?? 0,
    cancelled: e.cancelledCount ?? 0,
    retried: e.retriedCount ?? 0,
    running: e.runningCount ?? 0,
  };
  const failedTasks: FailedTask[] = tasks
    .filter((t) => {
      const r = t.lastAttemptResult;
      return (
        r !== undefined &&
        ((r.exitCode ?? 0) !== 0 || (r.termSignal ?? 0) !== 0 || (r.status?.code ?? 0) !== 0)
      );
    })
    .filter(() => status !== 'succeeded')
    .map((t) => {
      const r = t.lastAttemptResult ?? {};
      const index = t.index ?? 0;
      return {
        index,
        ...(r.exitCode !== undefined && r.exitCode !== 0 && { exitCode: r.exitCode }),
        ...(r.termSignal !== undefined && r.termSignal !== 0 && { signal: r.termSignal }),
        attempts: (t.retried ?? 0) + 1,
        ...(r.status?.message && { message: r.status.message }),
        logLines: logs.get(index) ?? [],
      };
    })
    .sort((a, b) => a.index - b.index);
  const parts = [`${counts.succeeded} of ${counts.tasks} tasks succeeded`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  if (counts.retried > 0) parts.push(`${counts.retried} retried`);
  if (counts.running > 0) parts.push(`${counts.running} running`);
  const failedText = failedTasks
    .map(
      (f) =>
        `task ${f.index}: ${f.signal !== undefined ? `stopped by signal ${f.signal}` : `exit code ${f.exitCode ?? '?'}`} after ${f.attempts} attempt(s)`,
    )
    .join('; ');
  const summary = `Execution ${shortName(e.name)} ${status}: ${parts.join(', ')}${failedText ? ` (${failedText})` : ''}.`;
  return { status, counts, failedTasks, ...(e.logUri && { logUri: e.logUri }), summary };
}

export function shortName(name: string): string {
  return name.split('/').pop() ?? name;
}
