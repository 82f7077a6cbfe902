// The instances of one revision and Cloud Run's per-instance concurrency: each request or stream holds a
// slot on one instance until it ends; when every instance is full a new one starts, up to maxInstances.
import type { RevisionRuntimeSpec, RevisionStartResult } from '../model';
import type { ResolvedImage } from './image-catalogue';
import { Instance, type InstanceEvent, type StartOutcome } from './instances';

const LOG_LINES_KEPT = 200;
const DEFAULT_CONCURRENCY = 80;

export interface PoolOptions {
  host: string;
  killGraceMs: number;
  /** How long a request waits for a free slot when maxInstances is reached before 429. */
  queueTimeoutMs: number;
  log?: (line: string) => void;
  /** Every instance's output lines (with their stream) and exits, tagged with service, revision and instance. */
  observe?: (event: InstanceEvent & { service: string; revision: string; instance: number }) => void;
}

/** A slot on one instance; release() frees it (idempotent). */
export interface Lease {
  instance: Instance;
  release(): void;
}

export type AcquireResult = { lease: Lease } | { error: 'overloaded' | 'unavailable' };

/** Cloud Run's message when a revision's container never listened (public issue reports quote it). */
export function startupFailureMessage(
  spec: RevisionRuntimeSpec,
  detail: string,
  lastLines: string[],
): string {
  const base =
    `The user-provided container failed to start and listen on the port defined provided by the ` +
    `PORT=${spec.containerPort} environment variable within the allocated timeout. This can happen when the ` +
    `container port is misconfigured or if the timeout is too short. The health check timeout can be ` +
    `extended. Logs for this revision might contain more information.`;
  const tail = lastLines.length > 0 ? `\nLast log lines:\n${lastLines.join('\n')}` : '';
  return `${base} (emulator: the container ${detail})${tail}`;
}

export class RevisionPool {
  readonly instances: Instance[] = [];
  private readonly lines: string[] = [];
  private readonly waiters: Array<() => void> = [];
  private starting = 0;
  private nextId = 1;
  private stopped = false;
  /** Warm instances to keep (min instances); starts at the revision's own min, then set by routing. */
  private floor: number;

  constructor(
    readonly spec: RevisionRuntimeSpec,
    private readonly image: ResolvedImage,
    private readonly options: PoolOptions,
  ) {
    this.floor = spec.minInstances;
  }

  /** The current warm floor (min instances kept running). */
  get warmFloor(): number {
    return this.floor;
  }

  /**
   * Keeps `count` warm instances: starts missing ones; when the floor drops, stops idle instances above it
   * (new requests still cold-start). Instances started by requests above an unchanged floor are left alone.
   */
  async setFloor(count: number): Promise<void> {
    const previous = this.floor;
    this.floor = count;
    if (this.stopped) return;
    const missing = count - (this.instances.length + this.starting);
    if (missing > 0) await Promise.all(Array.from({ length: missing }, () => this.addInstance()));
    if (count < previous) {
      const idle = this.instances.filter((instance) => instance.inFlight === 0);
      const excess = Math.min(idle.length, this.instances.length - count);
      const victims = idle.slice(0, Math.max(excess, 0));
      for (const victim of victims) this.forget(victim);
      await Promise.all(victims.map((victim) => victim.stop()));
    }
  }

  get concurrency(): number {
    return this.spec.concurrency > 0 ? this.spec.concurrency : DEFAULT_CONCURRENCY;
  }

  /** Last output lines of this revision's instances, oldest first. */
  logs(): string[] {
    return [...this.lines];
  }

  /** Starts max(minInstances, 1) instances; ready when all accept connections within the startup deadline. */
  async start(): Promise<RevisionStartResult> {
    const count = Math.max(this.spec.minInstances, 1);
    const outcomes = await Promise.all(Array.from({ length: count }, () => this.addInstance()));
    const failed = outcomes.find((outcome): outcome is Extract<StartOutcome, { ok: false }> => !outcome.ok);
    if (!failed) return { ready: true };
    await this.stop();
    const detail = failed.kind === 'timeout' ? `did not listen in time (${failed.detail})` : failed.detail;
    return {
      ready: false,
      reason: 'HEALTH_CHECK_CONTAINER_ERROR',
      message: startupFailureMessage(this.spec, detail, this.lines.slice(-10)),
    };
  }

  private async addInstance(): Promise<StartOutcome> {
    const id = this.nextId++;
    const { spec, options } = this;
    const instance = new Instance({
      id,
      image: this.image,
      host: options.host,
      killGraceMs: options.killGraceMs,
      label: `[${spec.serviceId}/${spec.revision}#${id}]`,
      env: {
        ...baseEnv(),
        ...this.image.env,
        ...spec.env,
        K_SERVICE: spec.serviceId,
        K_REVISION: spec.revision,
        K_CONFIGURATION: spec.serviceId,
      },
      onLine: (line) => this.record(line),
      onEvent: (event) =>
        options.observe?.({ ...event, service: spec.service, revision: spec.revision, instance: id }),
    });
    this.starting++;
    const outcome = await instance.start(spec.startupDeadlineMs);
    this.starting--;
    if (outcome.ok && !this.stopped) {
      this.instances.push(instance);
      void instance.whenExited().then(() => this.forget(instance));
    } else if (outcome.ok) {
      await instance.stop();
    }
    return outcome;
  }

  private record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES_KEPT) this.lines.splice(0, this.lines.length - LOG_LINES_KEPT);
    this.options.log?.(line);
  }

  private forget(instance: Instance): void {
    const index = this.instances.indexOf(instance);
    if (index >= 0) this.instances.splice(index, 1);
  }

  /** A slot on the preferred instance if it has room, else the least busy one, else a new instance. */
  async acquire(preferredInstance?: number): Promise<AcquireResult> {
    const deadline = Date.now() + this.options.queueTimeoutMs;
    for (;;) {
      if (this.stopped) return { error: 'unavailable' };
      const free = this.instances.filter(
        (instance) => !instance.exited && instance.inFlight < this.concurrency,
      );
      const chosen =
        free.find((instance) => instance.id === preferredInstance) ??
        free.sort((a, b) => a.inFlight - b.inFlight)[0];
      if (chosen) return { lease: this.lease(chosen) };
      if (this.instances.length + this.starting < this.spec.maxInstances) {
        const outcome = await this.addInstance();
        if (!outcome.ok) return { error: 'unavailable' };
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { error: 'overloaded' };
      await this.waitForSlot(remaining);
    }
  }

  private lease(instance: Instance): Lease {
    instance.inFlight++;
    let released = false;
    return {
      instance,
      release: () => {
        if (released) return;
        released = true;
        instance.inFlight--;
        this.waiters.shift()?.();
      },
    };
  }

  private waitForSlot(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        const index = waiters.indexOf(done);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** Kills every instance; later acquire() calls fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all(this.instances.splice(0).map((instance) => instance.stop()));
  }
}

// A container sees only its image's and revision's env; PATH and HOME keep a local runtime usable.
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
