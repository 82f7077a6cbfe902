// The in-memory ports run() is tested against (shared by __tests__/run.test.ts, __tests__/run/ and the
// property test): a Cloud Run whose service really changes, a log that keeps its lines, a smoke port with
// scripted verdicts, and ports() that wires them with a virtual clock and keeps every runner-state record
// saved.
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { trafficKey } from '../../src/core/traffic-plan';
import type { CloudRunPort, Log, ReleasePorts } from '../../src/ports';
import { ConcurrentChange, DeployFailure, StepError } from '../../src/errors';
import type { SmokeResult, Verdict } from '../../src/core/smoke-types';
import type { ReleaseRecord } from '../../src/core/release-record';

/** The full name of the one service the fake holds. */
export const NAME = 'projects/p/locations/us-central1/services/api';

/** A Cloud Run with one service whose traffic really changes; `failRevision` makes the next new revision fail. */
export class FakeCloudRun implements CloudRunPort {
  service?: CloudRunService;
  failRevision = false;
  steps: string[] = [];
  protected etag = 0;

  seed(traffic: TrafficTarget[]): void {
    this.service = {
      name: NAME,
      template: { revision: 'api-old', containers: [{ image: 'old' }] },
      traffic,
      latestReadyRevision: 'api-old',
      uri: 'https://api',
      etag: `"${this.etag}"`,
    };
  }

  async getService() {
    this.steps.push('get');
    return this.service ? this.read() : undefined;
  }

  /** The service as read: trafficStatuses follow the traffic once it has settled, as on Cloud Run (docs/platform.md "Traffic"). */
  protected read(): CloudRunService {
    const service = structuredClone(this.service as CloudRunService);
    if (service.trafficStatuses || service.uri)
      service.trafficStatuses = service.traffic.map((t) => ({
        ...t,
        uri: t.tag ? `https://${t.tag}---api` : undefined,
      }));
    return service;
  }

  async applyService(desired: CloudRunService, action: 'create' | 'update') {
    this.steps.push(action);
    if (this.service && desired.etag !== this.service.etag)
      throw new StepError({ operation: 'update', target: NAME, cause: 'etag', hint: '' });
    const revision = desired.template.revision as string;
    this.etag++;
    if (this.failRevision) {
      // As on Cloud Run: the spec is stored, the revision fails, routing stays on the last ready revision.
      this.service = {
        ...(this.service ?? { name: NAME, uri: 'https://api' }),
        ...desired,
        etag: `"${this.etag}"`,
        latestReadyRevision: this.service?.latestReadyRevision,
      };
      throw new DeployFailure({
        operation: 'update service',
        target: NAME,
        cause: `Revision '${revision}' is not ready`,
        hint: '',
      });
    }
    this.service = {
      ...desired,
      uri: 'https://api',
      etag: `"${this.etag}"`,
      latestReadyRevision: revision,
    };
    return this.read();
  }

  /** Called before each setTraffic: lets a test play another release changing traffic in between. */
  beforeSetTraffic?: (service: CloudRunService) => void;

  async setTraffic(
    _name: string,
    traffic: TrafficTarget[],
    options: { expectTraffic?: TrafficTarget[]; annotations?: Record<string, string> } = {},
  ) {
    this.beforeSetTraffic?.(this.service as CloudRunService);
    if (
      options.expectTraffic &&
      trafficKey(options.expectTraffic) !== trafficKey((this.service as CloudRunService).traffic)
    ) {
      this.steps.push('conflict');
      throw new ConcurrentChange({
        operation: 'set traffic on',
        target: NAME,
        cause: 'someone else changed its traffic',
        hint: '',
      });
    }
    this.steps.push(
      `setTraffic:${
        traffic
          .filter((t) => t.revision === 'api-new')
          .map((t) => t.percent)
          .join('') || 0
      }`,
    );
    if (options.annotations)
      (this.service as CloudRunService).annotations = {
        ...(this.service?.annotations ?? {}),
        ...options.annotations,
      };
    this.service = { ...(this.service as CloudRunService), traffic: structuredClone(traffic) };
    return this.read();
  }

  /** Where new requests go: LATEST resolved to the latest ready revision, as Cloud Run does. */
  effectiveSplit(): Record<string, number> {
    const split: Record<string, number> = {};
    for (const t of this.service?.traffic ?? []) {
      const revision =
        t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
          ? (this.service?.latestReadyRevision as string)
          : (t.revision as string);
      if (t.percent > 0) split[revision] = (split[revision] ?? 0) + t.percent;
    }
    return split;
  }

  async revisionDigest(_service: string, _revision: string): Promise<string | undefined> {
    return undefined;
  }

  async revisionFailure(): Promise<{ reason?: string; message?: string } | undefined> {
    return { reason: 'HEALTH_CHECK_CONTAINER_ERROR', message: 'the container did not listen on PORT' };
  }

  async setPublicAccess(_name: string, allow: boolean) {
    this.steps.push(`public:${allow}`);
    this.publicBinding = allow;
    return 'added' as const;
  }

  /** Whether the IAM policy has allUsers as invoker. */
  publicBinding = false;

  async hasPublicBinding() {
    this.steps.push('policy');
    return this.publicBinding;
  }

  async close() {}
}

/** A log that keeps its lines (`info …`, `warning …`, `error …`, `group …`) for assertions. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (l) => lines.push(`info ${l}`),
    warning: (l) => lines.push(`warning ${l}`),
    error: (l) => lines.push(`error ${l}`),
    debug: () => undefined,
    group: async (title, fn) => {
      lines.push(`group ${title}`);
      return fn();
    },
  };
}

/** A smoke port that answers with `verdict` (failing from call `failFrom` on, when given) and records what it was asked. */
export function fakeSmoke(verdict: Verdict = 'pass', failFrom = Infinity) {
  const calls: Array<{ url: string; origins: string[]; idToken?: string }> = [];
  return {
    calls,
    async run(url: string, _criteria: unknown, origins: string[], idToken?: string): Promise<SmokeResult> {
      calls.push({ url, origins, idToken });
      const ok = verdict === 'pass' && calls.length < failFrom;
      return {
        url,
        protocol: 'sse',
        verdict: ok ? 'pass' : verdict === 'pass' ? 'fail' : verdict,
        checks: [
          {
            name: 'not-buffered',
            ok,
            detail: ok ? 'events arrived as sent' : '5 events arrived in one burst after 4.9 s',
          },
        ],
        metrics: { events: 5, buffered: !ok, connectionsHeld: 1, connectionsTried: 1 },
      };
    },
  };
}

/** The release ports over `cloudRun`: a virtual clock that `sleep` advances, and every runner-state record saved, in order. */
export function ports(
  cloudRun: FakeCloudRun,
  log = memoryLog(),
  smoke = fakeSmoke(),
): ReleasePorts & { records: ReleaseRecord[] } {
  const records: ReleaseRecord[] = [];
  let clock = 1_000_000;
  return {
    cloudRun,
    log,
    smoke: {
      run: smoke.run,
      status: async () => 200,
      // The service URL answers from the revisions in the live split, in proportion.
      sample: async (url, _path, count, candidate) => {
        // A tag URL (`https://TAG---api`) reaches the candidate only.
        const share = url.includes('---') ? 1 : (cloudRun.effectiveSplit()[candidate] ?? 0) / 100;
        const hits = Math.round(count * share);
        return { total: count, candidate: hits, unidentified: 0, errors: 0 };
      },
    },
    idToken: async (audience) => `id-token-for-${audience}`,
    saveRecord: (r) => records.push(structuredClone(r)),
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
    records,
  };
}
