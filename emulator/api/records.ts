// What the Admin API fake keeps: a record per service with its revisions, IAM policy and status, shared
// by the resource modules (services.ts, revisions.ts, reconcile.ts, iam.ts) through ApiState; the lookups
// that answer NOT_FOUND as Google words it; and each record's REST form.
import type { JobRecord } from './job-records';
import type { Operations } from './operations';
import { ApiError } from './google-errors';
import type { Json } from './service-rules';
import type { RunApiOptions } from './run-api';
import type { WireLog } from './wire-log';

export const SERVICE_TYPE = 'google.cloud.run.v2.Service';
export const REVISION_TYPE = 'google.cloud.run.v2.Revision';

export interface RevisionRecord {
  name: string;
  body: Json;
  ready: boolean | undefined;
}

export interface ServiceRecord {
  project: string;
  location: string;
  id: string;
  name: string;
  uid: string;
  spec: Json;
  generation: number;
  observedGeneration: number;
  createTime: string;
  updateTime: string;
  etag: string;
  reconciling: boolean;
  terminalCondition: Json;
  conditions: Json[];
  latestCreated?: string;
  latestReady?: string;
  trafficStatuses: Json[];
  uri?: string;
  /** Service.urls: deterministic first, then the hash form (docs/platform.md "Service URLs"). */
  urls?: string[];
  /** The failed revision the template still names and its LRO error (docs/platform.md "After a failed revision"). */
  stickyFailure?: { revision: string; message: string };
  revisions: Map<string, RevisionRecord>;
  revisionCount: number;
  policy: { version: number; bindings: Json[]; etag: string };
  /** Every policy the service had and when it was set, oldest first (for IAM propagation). */
  policyHistory: Array<{ at: number; bindings: Json[] }>;
  /** Updates reconcile one at a time, in order. */
  queue: Promise<void>;
  creator: string;
  lastModifier: string;
}

/** Everything the resource modules share: options, services and jobs by full name, operations, the wire log, the clock. */
export interface ApiState {
  readonly opts: RunApiOptions;
  readonly services: Map<string, ServiceRecord>;
  /** Cloud Run jobs by full name, with their executions (job-records.ts). */
  readonly jobs: Map<string, JobRecord>;
  readonly operations: Operations;
  readonly wire: WireLog;
  readonly now: () => Date;
}

/** The current time as the API stamps createTime / updateTime. */
export function stamp(state: ApiState): string {
  return state.now().toISOString();
}

/** The service with that full name, or NOT_FOUND in Google's words. */
export function mustGetService(state: ApiState, name: string): ServiceRecord {
  const s = state.services.get(name);
  if (!s) {
    const [, project, , location, , id] = name.split('/');
    throw new ApiError(
      'NOT_FOUND',
      `Resource '${id}' of kind 'SERVICE' in region '${location}' in project '${project}' does not exist.`,
    );
  }
  return s;
}

/** The revision `revision` of the service with that full name, or NOT_FOUND in Google's words. */
export function mustGetRevision(state: ApiState, service: string, revision: string): RevisionRecord {
  const r = state.services.get(service)?.revisions.get(revision);
  if (!r) {
    const [, project, , location] = service.split('/');
    throw new ApiError(
      'NOT_FOUND',
      `Resource '${revision}' of kind 'REVISION' in region '${location}' in project '${project}' does not exist.`,
    );
  }
  return r;
}

/** A service as the API answers it: spec fields plus generation, status, conditions, URLs and etag. */
export function renderService(s: ServiceRecord): Json {
  const spec = structuredClone(s.spec);
  const out: Json = {
    name: s.name,
    uid: s.uid,
    generation: String(s.generation),
    labels: spec.labels ?? {},
    annotations: spec.annotations ?? {},
    createTime: s.createTime,
    updateTime: s.updateTime,
    creator: s.creator,
    lastModifier: s.lastModifier,
    ingress: spec.ingress ?? 'INGRESS_TRAFFIC_ALL',
    launchStage: spec.launchStage ?? 'GA',
    template: spec.template,
    traffic: spec.traffic,
    observedGeneration: String(s.observedGeneration),
    terminalCondition: s.terminalCondition,
    conditions: s.conditions,
    trafficStatuses: s.trafficStatuses,
    reconciling: s.reconciling,
    etag: s.etag,
  };
  for (const f of [
    'description',
    'client',
    'clientVersion',
    'binaryAuthorization',
    'scaling',
    'invokerIamDisabled',
    'defaultUriDisabled',
    'iapEnabled',
    'multiRegionSettings',
    'customAudiences',
    'buildConfig',
  ]) {
    if (spec[f] !== undefined) out[f] = spec[f];
  }
  if (s.latestCreated) out.latestCreatedRevision = `${s.name}/revisions/${s.latestCreated}`;
  if (s.latestReady) out.latestReadyRevision = `${s.name}/revisions/${s.latestReady}`;
  if (s.uri) {
    out.uri = s.uri;
    out.urls = s.urls ?? [s.uri];
  }
  return out;
}

/** A revision as the API answers it: its template's fields, readiness conditions and log URI. */
export function renderRevision(s: ServiceRecord, r: RevisionRecord): Json {
  const t = r.body.__template as Json;
  const out: Json = {
    name: `${s.name}/revisions/${r.name}`,
    uid: r.body.uid,
    generation: r.body.generation,
    labels: t.labels ?? {},
    annotations: t.annotations ?? {},
    createTime: r.body.createTime,
    updateTime: r.body.updateTime,
    launchStage: 'GA',
    service: s.name,
    scaling: t.scaling,
    maxInstanceRequestConcurrency: t.maxInstanceRequestConcurrency,
    timeout: t.timeout,
    serviceAccount: t.serviceAccount,
    containers: t.containers,
    executionEnvironment: t.executionEnvironment,
    sessionAffinity: Boolean(t.sessionAffinity),
    reconciling: r.ready === undefined,
    conditions: r.body.conditions ?? [{ type: 'Ready', state: 'CONDITION_RECONCILING' }],
    observedGeneration: r.ready === undefined ? '0' : r.body.generation,
    logUri: `http://127.0.0.1/emulator/logs/${encodeURIComponent(s.name)}/${r.name}`,
    etag: `"${String(r.body.uid).slice(0, 8)}"`,
  };
  return out;
}
