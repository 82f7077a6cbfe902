// Faults for the release's property test (__tests__/properties/release.property.test.ts): a Cloud Run fake
// that fails on a schedule the way the real adapter (src/adapters/cloud-run.ts) fails once its own retries
// and read-backs are spent, a person who changes traffic in the middle of the run, a job killed at any port
// call, and a smoke port whose verdicts follow the schedule. Everything runs on the fake's virtual clock.
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { trafficKey } from '../../src/core/traffic-plan';
import { ConcurrentChange, DeployFailure, OperationUnsettled, StepError } from '../../src/errors';
import type { ReleaseRecord } from '../../src/core/release-record';
import { FakeCloudRun, NAME, fakeSmoke, memoryLog, ports } from './fake-release-ports';

const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';

/** The job was killed: the port call it was in never returns, and nothing after it runs. */
export class Killed extends Error {
  constructor(where: string) {
    super(`the job was killed during ${where}`);
    this.name = 'Killed';
  }
}

/**
 * What goes wrong at the Nth call of a port method: `fail` before anything lands (the adapter's retries ran
 * out), `lost` after the write landed (its answer and the read-back both lost), `slow` after the write
 * landed but the operation did not settle in time (OperationUnsettled), `revision-fails` the candidate's
 * revision is stored but never becomes ready (DeployFailure).
 */
export type FaultKind = 'fail' | 'lost' | 'slow' | 'revision-fails';
export type FaultMethod = 'getService' | 'applyService' | 'setTraffic' | 'revisionFailure';

export interface Fault {
  method: FaultMethod;
  /** 1-based: the first call of `method` is 1. */
  call: number;
  kind: FaultKind;
}

/** What a person does to the traffic by hand; the tags stay where they were, as `gcloud run services update-traffic` leaves them. */
export type PersonChange = 'rollback-by-hand' | 'to-latest' | 'split-by-hand' | 'promote-by-hand';

export interface FaultSchedule {
  faults: Fault[];
  /** Before port call `at` (counted over every port call, 1-based), a person sets other traffic. */
  person?: { at: number; change: PersonChange };
  /** Port call `at` never returns: the job is killed; for a write, `landed` says whether it reached Cloud Run first. */
  kill?: { at: number; landed: boolean };
}

/** One change to the service: by the run (main or the post step) or by the person. */
export interface Write {
  by: 'run' | 'person';
  method: string;
  /** The service right after the write. */
  service: CloudRunService;
  /** The annotations the write was sent with (setTraffic), to check the record it carries. */
  annotations?: Record<string, string>;
}

/** A failure past the adapter's retries: nothing landed, and the hint says to retry later. */
function unavailable(operation: string): StepError {
  return new StepError({
    operation,
    target: NAME,
    cause: 'Cloud Run answered UNAVAILABLE (HTTP 503) 5 times in a row (last: The service is unavailable)',
    hint: 'Cloud Run is throttling or failing requests for now: retry the job later.',
  });
}

/** A write that landed, but neither its answer nor the read-back that would have shown it came back. */
function lostAnswer(operation: string): StepError {
  return new StepError({
    operation,
    target: NAME,
    cause: 'read ECONNRESET (the connection was reset before Cloud Run answered)',
    hint: 'Cloud Run is throttling or failing requests for now: retry the job later.',
  });
}

function unsettled(operation: string): OperationUnsettled {
  return new OperationUnsettled({
    operation,
    target: NAME,
    cause: 'the operation did not finish within 60 s (`deploy_timeout`)',
    hint: 'Cloud Run may still finish it: check the service, or raise `deploy_timeout`.',
  });
}

/**
 * The shared in-memory Cloud Run with a fault schedule. setTraffic keeps the port's contract as the
 * adapter does: traffic (and annotations) already as asked is not written again, `expectTraffic` and
 * `alsoExpect` guard the write (ConcurrentChange), and a write bumps the etag and the generation.
 */
export class ScheduledCloudRun extends FakeCloudRun {
  /** Port calls so far, over every port (Cloud Run, smoke, sample, sleep). */
  events = 0;
  /** Set once the job was killed: every later call throws Killed, and the runner state keeps nothing more. */
  dead = false;
  /** The faults that fired, as `method#call kind`. */
  readonly fired: string[] = [];
  /** The traffic the person set, once they did. */
  personTraffic?: TrafficTarget[];
  /** The service as the run last saw it (an answer, or the traffic a ConcurrentChange found), and whether the person changed it since. */
  lastSeen?: CloudRunService;
  personSinceSeen = false;
  readonly writes: Write[] = [];
  /** Called after every change to the service, by whoever made it. */
  onWrite?: (write: Write) => void;
  private schedule: FaultSchedule;
  private readonly calls = new Map<string, number>();

  constructor(schedule: FaultSchedule) {
    super();
    this.schedule = schedule;
  }

  /** No more faults, no person, no kill: the post step runs in a fresh job against a healthy API. */
  heal(): void {
    this.schedule = { faults: [] };
    this.dead = false;
  }

  /**
   * Every port call passes here first: the person acts before call `person.at`; call `kill.at` kills the
   * job (a write that `landed` is applied first: `dies` tells the caller to throw Killed after it).
   */
  enter(method: string, write = false): { fault?: FaultKind; dies: boolean } {
    if (this.dead) throw new Killed(method);
    const event = ++this.events;
    const call = (this.calls.get(method) ?? 0) + 1;
    this.calls.set(method, call);
    const { person, kill, faults } = this.schedule;
    if (person?.at === event) this.actPerson(person.change);
    const fault = faults.find((f) => f.method === method && f.call === call)?.kind;
    if (fault) this.fired.push(`${method}#${call} ${fault}`);
    if (kill?.at === event) {
      this.dead = true;
      if (!(write && kill.landed)) throw new Killed(method);
      return { fault, dies: true };
    }
    return { fault, dies: false };
  }

  override async getService(): Promise<CloudRunService | undefined> {
    if (this.enter('getService').fault) throw unavailable('get service');
    this.steps.push('get');
    return this.seen(this.read());
  }

  /** Stores the spec and makes the candidate's revision (ready unless it `revision-fails`), as Cloud Run does. */
  override async applyService(
    desired: CloudRunService,
    action: 'create' | 'update',
  ): Promise<CloudRunService> {
    const { fault, dies } = this.enter('applyService', true);
    if (fault === 'fail') throw unavailable(`${action} service`);
    this.steps.push(action);
    const live = this.service;
    if (live && desired.etag !== live.etag) {
      if (dies) throw new Killed('applyService');
      throw new StepError({
        operation: `${action} service`,
        target: NAME,
        cause: 'ABORTED (HTTP 409): the etag is stale, someone changed the service since it was read',
        hint: '',
      });
    }
    const revision = desired.template.revision as string;
    const ready = fault !== 'revision-fails';
    this.etag++;
    const { trafficStatuses: _statuses, ...spec } = structuredClone(desired);
    this.service = {
      ...live,
      ...spec,
      name: NAME,
      uri: 'https://api',
      etag: `"${this.etag}"`,
      generation: (live?.generation ?? 0) + 1,
      latestCreatedRevision: revision,
      latestReadyRevision: ready ? revision : live?.latestReadyRevision,
    };
    this.wrote('run', 'applyService');
    if (dies) throw new Killed('applyService');
    if (!ready)
      throw new DeployFailure({
        operation: `${action} service`,
        target: NAME,
        cause: `Revision '${revision}' is not ready`,
        hint: '',
      });
    if (fault === 'lost') throw lostAnswer(`${action} service`);
    if (fault === 'slow') throw unsettled(`${action} service`);
    return this.seen(this.read()) as CloudRunService;
  }

  override async setTraffic(
    _name: string,
    traffic: TrafficTarget[],
    options: {
      expectTraffic?: TrafficTarget[];
      alsoExpect?: TrafficTarget[][];
      annotations?: Record<string, string>;
    } = {},
  ): Promise<CloudRunService> {
    const { fault, dies } = this.enter('setTraffic', true);
    if (fault === 'fail') throw unavailable('set traffic on');
    const live = this.service as CloudRunService;
    const annotated =
      !options.annotations ||
      Object.entries(options.annotations).every(([k, v]) => live.annotations?.[k] === v);
    if (trafficKey(live.traffic) !== trafficKey(traffic) || !annotated) {
      const allowed = options.expectTraffic ? [options.expectTraffic, ...(options.alsoExpect ?? [])] : [];
      if (allowed.length > 0 && !allowed.some((t) => trafficKey(t) === trafficKey(live.traffic))) {
        this.steps.push('conflict');
        if (dies) throw new Killed('setTraffic');
        this.seen(this.read());
        throw new ConcurrentChange({
          operation: 'set traffic on',
          target: NAME,
          cause: `someone else changed its traffic since this run set it (expected ${JSON.stringify(options.expectTraffic)}, found ${JSON.stringify(live.traffic)})`,
          hint: 'This run did not overwrite it. Another release may be running: use a `concurrency:` group per service and region in the workflow.',
        });
      }
      this.steps.push(`setTraffic:${traffic.find((t) => t.revision === 'api-new')?.percent ?? 0}`);
      this.route(traffic, options.annotations);
      this.wrote('run', 'setTraffic', options.annotations);
    }
    if (dies) throw new Killed('setTraffic');
    if (fault === 'lost') throw lostAnswer('set traffic on');
    if (fault === 'slow') throw unsettled('set traffic on');
    return this.seen(this.read()) as CloudRunService;
  }

  /** The adapter never throws here: a Ready condition it cannot read is undefined. */
  override async revisionFailure(): Promise<{ reason?: string; message?: string } | undefined> {
    if (this.enter('revisionFailure').fault) return undefined;
    return { reason: 'HEALTH_CHECK_CONTAINER_ERROR', message: 'the container did not listen on PORT' };
  }

  /** The service as read: trafficStatuses say what serves, LATEST resolved and tag URLs given, as Cloud Run does. */
  protected override read(): CloudRunService {
    const service = structuredClone(this.service as CloudRunService);
    service.trafficStatuses = service.traffic.map((t) => ({
      ...t,
      ...(t.type === LATEST && { revision: service.latestReadyRevision }),
      ...(t.tag && { uri: `https://${t.tag}---api` }),
    }));
    return service;
  }

  /** The service as a read would return it now, without counting as a port call. */
  view(): CloudRunService {
    return this.read();
  }

  private seen(service: CloudRunService | undefined): CloudRunService | undefined {
    this.lastSeen = structuredClone(service);
    this.personSinceSeen = false;
    return service;
  }

  /** Sets traffic as Cloud Run does: a new etag and generation. */
  private route(traffic: TrafficTarget[], annotations?: Record<string, string>): void {
    const live = this.service as CloudRunService;
    this.etag++;
    this.service = {
      ...live,
      traffic: structuredClone(traffic),
      annotations: annotations ? { ...(live.annotations ?? {}), ...annotations } : live.annotations,
      etag: `"${this.etag}"`,
      generation: (live.generation ?? 0) + 1,
    };
  }

  private wrote(by: Write['by'], method: string, annotations?: Record<string, string>): void {
    const write: Write = { by, method, service: this.read(), annotations };
    this.writes.push(write);
    this.onWrite?.(write);
  }

  /** A person's traffic change: a split by hand that only names ready revisions; the tags stay on 0 % entries. */
  private actPerson(change: PersonChange): void {
    const live = this.service;
    if (!live) return;
    const candidateReady = live.latestReadyRevision === 'api-new';
    const asked = !candidateReady && /split|promote/.test(change) ? 'rollback-by-hand' : change;
    const split: TrafficTarget[] = {
      'rollback-by-hand': [{ type: REVISION, revision: 'api-old', percent: 100 }],
      'to-latest': [{ type: LATEST, percent: 100 }],
      'split-by-hand': [
        { type: REVISION, revision: 'api-old', percent: 60 },
        { type: REVISION, revision: 'api-new', percent: 40 },
      ],
      'promote-by-hand': [{ type: REVISION, revision: 'api-new', percent: 100 }],
    }[asked] as TrafficTarget[];
    const tags = live.traffic
      .filter((t) => t.tag)
      .map((t) => ({
        type: REVISION,
        revision: t.type === LATEST ? live.latestReadyRevision : t.revision,
        percent: 0,
        tag: t.tag,
      })) as TrafficTarget[];
    this.personTraffic = [...split, ...tags];
    this.personSinceSeen = true;
    this.route(this.personTraffic);
    this.fired.push(`person ${asked}`);
    this.wrote('person', asked);
  }
}

/**
 * How the candidate answers its smoke tests, by smoke call (1-based, over the candidate's test and every
 * gate round's two light tests): healthy, bad from call `from` on, or one failing call (`flaky`).
 */
export type CandidateHealth =
  | { kind: 'healthy' }
  | { kind: 'bad'; from: number; verdict: 'fail' | 'inconclusive' }
  | { kind: 'flaky'; call: number };

/** A smoke port whose verdicts follow `health`; each call is a port call of the schedule (`enter`). */
export function scheduledSmoke(health: CandidateHealth, enter: () => void) {
  const pass = fakeSmoke('pass');
  const fail = fakeSmoke('fail');
  const inconclusive = fakeSmoke('inconclusive');
  let calls = 0;
  return {
    calls: pass.calls,
    async run(...args: Parameters<typeof pass.run>) {
      enter();
      calls++;
      const bad =
        (health.kind === 'bad' && calls >= health.from) || (health.kind === 'flaky' && calls === health.call);
      if (!bad) return pass.run(...args);
      return (health.kind === 'bad' && health.verdict === 'inconclusive' ? inconclusive : fail).run(...args);
    },
  };
}

/**
 * The release ports over a ScheduledCloudRun: the smoke test, the share sample and `sleep` are port calls
 * of the schedule too (the job can be killed in any of them), and `onSave` sees each runner-state record
 * as it is saved; once the job is dead, nothing more is saved (the runner keeps what main saved before).
 */
export function scheduledPorts(
  cloudRun: ScheduledCloudRun,
  health: CandidateHealth,
  onSave: (record: ReleaseRecord) => void,
) {
  const p = ports(
    cloudRun,
    memoryLog(),
    scheduledSmoke(health, () => cloudRun.enter('smoke')),
  );
  const sample = p.smoke.sample;
  p.smoke.sample = async (...args) => {
    cloudRun.enter('sample');
    return sample(...args);
  };
  const sleep = p.sleep;
  p.sleep = async (ms) => {
    cloudRun.enter('sleep');
    return sleep(ms);
  };
  const save = p.saveRecord;
  p.saveRecord = (record) => {
    if (cloudRun.dead) return;
    onSave(structuredClone(record));
    save(record);
  };
  return p;
}
