// The emulator's data plane: revisions run as local processes (one per instance, each on its own free
// port: the app is told PORT=<that port>, not the template's containerPort, which only appears in
// messages), and each service URL or tag URL is its own 127.0.0.1 listener in front of them.
import type { Faults } from '../faults';
import type { RequestSink } from '../observability/request-log';
import type {
  DataPlane,
  InvokerCheck,
  RevisionRuntimeSpec,
  RevisionStartResult,
  ServiceRouting,
  ServiceUrls,
  WarmReason,
} from '../model';
import { resolveImage, type ImageCatalogue } from './image-catalogue';
import { livePids } from './instances';
import { RevisionPool, type PoolOptions } from './revision-pool';
import { ServiceRouter } from './router';

export interface DataPlaneOptions {
  /** Fault registry: `settings.bufferSse` and `settings.dropStreamsAfterMs` act on proxied streams. */
  faults: Faults;
  /** Image references the emulator can "pull" (see loadImageCatalogue). */
  catalogue: ImageCatalogue;
  /** Called for every request and upgrade to a service or tag URL with its Authorization header. */
  invokerCheck: InvokerCheck;
  /** Address of every listener and instance. Default 127.0.0.1. */
  host?: string;
  /** Source of the traffic split's weighted choice, in [0, 1). Default Math.random. */
  random?: () => number;
  /** Receives every instance output line, prefixed `[service/revision#instance]`. Lines are kept in memory either way. */
  log?: (line: string) => void;
  /** Time between SIGTERM and SIGKILL when instances stop. Default 1000 ms. */
  killGraceMs?: number;
  /** How long a request waits for a slot once maxInstances is reached, before 429. Cloud Run waits up to 60 s; default 0. */
  queueTimeoutMs?: number;
  /** Receives every request when it ends and instance concurrency (the Monitoring and Logging fakes). */
  requests?: RequestSink;
  /** Receives instance output lines with their stream, and exits (the Logging fake). */
  observe?: PoolOptions['observe'];
}

/** What a test or the control plane can see of one revision's instances. */
export interface InstanceInfo {
  id: number;
  pid?: number;
  port: number;
  inFlight: number;
}

/** One started revision's instances and its warm floor (docs/platform.md "Min instances and tags"). */
export interface RevisionProcesses {
  service: string;
  revision: string;
  /** Instances running now. */
  running: number;
  /** Of those, how many the warm floor keeps (min instances); 0 when the revision has none. */
  warm: number;
  /** Why it has a warm floor, or null. */
  reason: WarmReason | null;
  pids: number[];
}

export interface EmulatorDataPlane extends DataPlane {
  /** Every started revision with its running and warm-floor instances. */
  processes(): RevisionProcesses[];
  /** Last output lines of the revision's instances (also after a failed start), for failure messages. */
  logs(service: string, revision: string): string[];
  /** Running instances of the revision. */
  instances(service: string, revision: string): InstanceInfo[];
  /** Pids of every instance process this data plane (and any other in this Node process) still runs. */
  pids(): number[];
}

/** Builds the data plane that emulator.ts wires to the control plane. */
export function createDataPlane(options: DataPlaneOptions): EmulatorDataPlane {
  const host = options.host ?? '127.0.0.1';
  const pools = new Map<string, Map<string, RevisionPool>>();
  const starts = new Map<string, Promise<RevisionStartResult>>();
  const failedLogs = new Map<string, string[]>();
  const routers = new Map<string, ServiceRouter>();
  const reasons = new Map<string, WarmReason>();
  let routeQueue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const key = (service: string, revision: string): string => `${service}\n${revision}`;
  const poolOf = (service: string, revision: string): RevisionPool | undefined =>
    pools.get(service)?.get(revision);
  const context = {
    host,
    faults: options.faults,
    invokerCheck: options.invokerCheck,
    random: options.random ?? Math.random,
    pool: poolOf,
    requests: options.requests,
  };

  async function start(spec: RevisionRuntimeSpec): Promise<RevisionStartResult> {
    if (closed) throw new Error('data plane is closed');
    const image = resolveImage(options.catalogue, spec.image, { command: spec.command, args: spec.args });
    if (!image) {
      // The wording Cloud Run puts on the revision when the registry has no such image.
      const message = `Image '${spec.image}' not found.`;
      failedLogs.set(key(spec.service, spec.revision), [message]);
      return { ready: false, reason: 'CONTAINER_MISSING', message };
    }
    const pool = new RevisionPool(spec, image, {
      host,
      killGraceMs: options.killGraceMs ?? 1000,
      queueTimeoutMs: options.queueTimeoutMs ?? 0,
      log: options.log,
      observe: options.observe,
    });
    const byRevision = pools.get(spec.service) ?? new Map<string, RevisionPool>();
    pools.set(spec.service, byRevision);
    byRevision.set(spec.revision, pool);
    const result = await pool.start();
    if (!result.ready || closed) {
      byRevision.delete(spec.revision);
      failedLogs.set(key(spec.service, spec.revision), pool.logs());
      await pool.stop();
    }
    return result;
  }

  async function stop(service: string, revision: string): Promise<void> {
    const pool = poolOf(service, revision);
    pools.get(service)?.delete(revision);
    starts.delete(key(service, revision));
    failedLogs.delete(key(service, revision));
    reasons.delete(key(service, revision));
    await pool?.stop();
  }

  async function applyFloors(routing: ServiceRouting): Promise<void> {
    const byRevision = pools.get(routing.service) ?? new Map<string, RevisionPool>();
    const floors = new Map((routing.warm ?? []).map((w) => [w.revision, w]));
    await Promise.all(
      [...byRevision].map(async ([revision, pool]) => {
        const floor = floors.get(revision);
        if (floor && floor.instances > 0) reasons.set(key(routing.service, revision), floor.reason);
        else reasons.delete(key(routing.service, revision));
        await pool.setFloor(floor?.instances ?? 0);
      }),
    );
  }

  return {
    startRevision(spec) {
      const k = key(spec.service, spec.revision);
      let pending = starts.get(k);
      if (!pending) {
        pending = start(spec);
        starts.set(k, pending);
        // A failed start may be retried with the same name.
        void pending.then(
          (result) => !result.ready && starts.get(k) === pending && starts.delete(k),
          () => starts.delete(k),
        );
      }
      return pending;
    },

    stopRevision: stop,

    route(routing: ServiceRouting): Promise<ServiceUrls> {
      const next = routeQueue.then(async () => {
        if (closed) throw new Error('data plane is closed');
        let router = routers.get(routing.service);
        if (!router) {
          router = new ServiceRouter(context, routing);
          routers.set(routing.service, router);
        }
        const urls = await router.apply(routing, options.faults.settings.routingLagMs);
        if (routing.warm) await applyFloors(routing);
        return urls;
      });
      routeQueue = next.catch(() => undefined);
      return next;
    },

    async removeService(service) {
      const router = routers.get(service);
      routers.delete(service);
      await router?.close();
      const revisions = [...(pools.get(service)?.keys() ?? [])];
      await Promise.all(revisions.map((revision) => stop(service, revision)));
      pools.delete(service);
    },

    async close() {
      closed = true;
      await Promise.all([...routers.values()].map((router) => router.close()));
      routers.clear();
      const all = [...pools.values()].flatMap((byRevision) => [...byRevision.values()]);
      pools.clear();
      starts.clear();
      await Promise.all(all.map((pool) => pool.stop()));
    },

    logs(service, revision) {
      return poolOf(service, revision)?.logs() ?? failedLogs.get(key(service, revision)) ?? [];
    },

    instances(service, revision) {
      return (poolOf(service, revision)?.instances ?? []).map((instance) => ({
        id: instance.id,
        pid: instance.pid,
        port: instance.port,
        inFlight: instance.inFlight,
      }));
    },

    pids: livePids,

    processes() {
      const out: RevisionProcesses[] = [];
      for (const [service, byRevision] of pools) {
        for (const [revision, pool] of byRevision) {
          const running = pool.instances.filter((instance) => !instance.exited);
          const floor = pool.warmFloor;
          out.push({
            service,
            revision,
            running: running.length,
            warm: Math.min(floor, running.length),
            reason: floor > 0 ? (reasons.get(key(service, revision)) ?? 'revision-min+split') : null,
            pids: running.map((instance) => instance.pid).filter((pid): pid is number => pid !== undefined),
          });
        }
      }
      return out;
    },
  };
}
