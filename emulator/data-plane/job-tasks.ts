// Cloud Run job tasks as real local processes: each attempt of a task is one process of the image's
// program (through the image catalogue, as revisions are), with the job runtime contract's env
// (cloud.google.com/run/docs/container-contract, "Environment variables" for jobs). A task past its
// timeout, or cancelled, gets SIGTERM, then SIGKILL after the grace. Every process is registered with the
// reaper (instances.ts) so none outlives the emulator; each output line goes to `observe`. Volumes are
// files under a per-attempt root (task-mounts.ts), removed when the attempt ends; an instance that cannot
// start (an env secret could not be fetched) logs why and runs nothing.
import { constants } from 'node:os';
import type { TaskAttemptHandle, TaskAttemptOutcome, TaskAttemptSpec, TaskRunner } from '../model';
import { resolveImage, type ImageCatalogue } from './image-catalogue';
import { signalGroup, spawnReaped } from './instances';
import { MOUNT_ROOT_ENV, materialiseMounts, type MaterialisedMounts } from './task-mounts';

/** An output line of a task attempt, with what Cloud Logging labels it by. */
export interface TaskOutputEvent {
  job: string;
  execution: string;
  taskIndex: number;
  attempt: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  at: number;
}

export interface TaskRunnerOptions {
  catalogue: ImageCatalogue;
  /** Time between SIGTERM and SIGKILL on timeout or cancellation. */
  killGraceMs: number;
  observe?: (event: TaskOutputEvent) => void;
}

export function createTaskRunner(opts: TaskRunnerOptions): TaskRunner {
  return {
    hasImage: (image) => resolveImage(opts.catalogue, image) !== undefined,
    start: (spec) => startAttempt(opts, spec),
  };
}

function startAttempt(opts: TaskRunnerOptions, spec: TaskAttemptSpec): TaskAttemptHandle {
  const image = resolveImage(opts.catalogue, spec.image, { args: spec.args });
  if (!image) return { done: Promise.resolve({ kind: 'missing-image' }), cancel: () => undefined };
  const emit = (stream: TaskOutputEvent['stream'], text: string): void =>
    opts.observe?.({
      job: spec.job,
      execution: spec.execution,
      taskIndex: spec.taskIndex,
      attempt: spec.attempt,
      stream,
      text,
      at: Date.now(),
    });
  if (spec.startupError !== undefined) {
    emit('system', spec.startupError);
    return {
      done: Promise.resolve({ kind: 'startup-failed', message: spec.startupError }),
      cancel: () => undefined,
    };
  }
  const mounts: MaterialisedMounts | undefined = spec.mounts?.length
    ? materialiseMounts(spec.mounts)
    : undefined;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...image.env,
    ...spec.env,
    ...(mounts ? { [MOUNT_ROOT_ENV]: mounts.root } : {}),
    CLOUD_RUN_JOB: spec.jobId,
    CLOUD_RUN_EXECUTION: spec.execution,
    CLOUD_RUN_TASK_INDEX: String(spec.taskIndex),
    CLOUD_RUN_TASK_COUNT: String(spec.taskCount),
    CLOUD_RUN_TASK_ATTEMPT: String(spec.attempt),
  };
  const [command, ...args] = image.argv;
  const child = spawnReaped(command, args, { cwd: image.cwd, env });
  let timedOut = false;
  let cancelled = false;
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (exited || killTimer) return;
    signalGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), opts.killGraceMs);
  };
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    stop();
  }, spec.timeoutMs);
  const streamsEnded: Array<Promise<void>> = [];
  for (const [name, stream] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ] as const) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) emit(name, line);
    });
    streamsEnded.push(
      new Promise((ended) =>
        stream?.on('close', () => {
          if (partial) emit(name, partial);
          partial = '';
          ended();
        }),
      ),
    );
  }
  const done = new Promise<TaskAttemptOutcome>((resolve) => {
    const finish = (outcome: TaskAttemptOutcome): void => {
      exited = true;
      clearTimeout(timeoutTimer);
      if (killTimer) clearTimeout(killTimer);
      // The attempt's output is read to its end (a process left holding the pipes gets 250 ms).
      let grace: NodeJS.Timeout | undefined;
      void Promise.race([
        Promise.all(streamsEnded),
        new Promise((later) => (grace = setTimeout(later, 250))),
      ]).then(() => {
        clearTimeout(grace);
        mounts?.remove();
        resolve(outcome);
      });
    };
    child.on('exit', (code, signal) => {
      if (signal) {
        finish({ kind: 'signaled', signal: constants.signals[signal] ?? 0, timedOut, cancelled });
      } else {
        // The platform's own line, as for services (observability/request-log.ts).
        if (code !== 0) emit('system', `Container called exit(${code}).`);
        finish({ kind: 'exited', exitCode: code ?? 0, timedOut, cancelled });
      }
    });
    child.on('error', (error) => {
      emit('system', `could not start: ${error.message}`);
      finish({ kind: 'exited', exitCode: 127, timedOut, cancelled });
    });
  });
  return {
    done,
    cancel: () => {
      cancelled = true;
      stop();
    },
  };
}
