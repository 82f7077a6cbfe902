// Services: list, create, update (PATCH, with updateMask, allowMissing, etag) and delete, each a
// long-running operation, with the platform's generation / reconciling / etag semantics (docs/platform.md "Readiness
// contract", "Optimistic concurrency", "No mask = full replacement", "Revision names").
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError } from './google-errors';
import { policyEtag, requireInvokerControl } from './iam';
import { anyOf } from './operations';
import { presenceCanonical } from './proto-json';
import { enqueue } from './reconcile';
import {
  SERVICE_TYPE,
  mustGetService,
  renderService,
  stamp,
  type ApiState,
  type ServiceRecord,
} from './records';
import { addRevision, normalizeTemplate, revisionSuffix } from './revisions';
import {
  serviceBodyProblems,
  serviceIdProblem,
  trafficProblems,
  type Json,
  type TrafficEntry,
} from './service-rules';

const TEMPLATE_TYPE = 'google.cloud.run.v2.RevisionTemplate';

/** Fields of a Service a caller may set; everything else in a request body is output-only and ignored. */
const MUTABLE_SERVICE_FIELDS = [
  'description',
  'labels',
  'annotations',
  'client',
  'clientVersion',
  'ingress',
  'launchStage',
  'binaryAuthorization',
  'template',
  'traffic',
  'scaling',
  'invokerIamDisabled',
  'defaultUriDisabled',
  'iapEnabled',
  'multiRegionSettings',
  'customAudiences',
  'buildConfig',
];

/** Services list: the services of one project and location, by id, as the API renders them. */
export function listServices(state: ApiState, project: string, location: string): Json[] {
  return [...state.services.values()]
    .filter((s) => s.project === project && s.location === location)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((s) => renderService(s));
}

/** Services create: checks id, body and traffic, records the service and its first revision, answers an operation. */
export async function createService(
  state: ApiState,
  project: string,
  location: string,
  serviceId: string,
  body: Json,
  validateOnly: boolean,
  principal: string,
): Promise<Json> {
  const idProblem = serviceIdProblem(serviceId);
  if (idProblem) throw new ApiError('INVALID_ARGUMENT', idProblem);
  const name = `projects/${project}/locations/${location}/services/${serviceId}`;
  if (state.services.has(name))
    throw new ApiError('ALREADY_EXISTS', `Resource '${serviceId}' already exists.`);
  const spec = pickMutable(body);
  if (spec.invokerIamDisabled === true) requireInvokerControl(state, principal, name);
  if (!spec.template) throw new ApiError('INVALID_ARGUMENT', 'service.template: is required.');
  spec.template = normalizeTemplate(state, spec.template as Json);
  const revision = (spec.template as Json).revision
    ? String((spec.template as Json).revision)
    : `${serviceId}-00001-${revisionSuffix()}`;
  const traffic =
    ((spec.traffic as TrafficEntry[] | undefined) ?? []).length > 0
      ? (spec.traffic as TrafficEntry[])
      : [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];
  spec.traffic = traffic;
  const problems = [
    ...serviceBodyProblems(serviceId, spec),
    ...trafficProblems(serviceId, traffic, new Set([revision])),
  ];
  if (problems.length > 0) throw new ApiError('INVALID_ARGUMENT', problems.join('\n'));
  const now = stamp(state);
  const record: ServiceRecord = {
    project,
    location,
    id: serviceId,
    name,
    uid: randomUUID(),
    spec,
    generation: 1,
    observedGeneration: 0,
    createTime: now,
    updateTime: now,
    etag: newEtag(),
    reconciling: true,
    terminalCondition: { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: now },
    conditions: [],
    trafficStatuses: [],
    revisions: new Map(),
    revisionCount: 0,
    policy: { version: 1, bindings: [], etag: policyEtag([]) },
    policyHistory: [{ at: Date.now(), bindings: [] }],
    queue: Promise.resolve(),
    creator: principal,
    lastModifier: principal,
  };
  if (validateOnly) {
    const op = state.operations.start(
      project,
      location,
      SERVICE_TYPE,
      anyOf(SERVICE_TYPE, renderService(record)),
    );
    state.operations.succeed(op, anyOf(SERVICE_TYPE, renderService(record)));
    return state.operations.render(op.name);
  }
  state.services.set(name, record);
  addRevision(state, record, revision);
  const op = state.operations.start(
    project,
    location,
    SERVICE_TYPE,
    anyOf(SERVICE_TYPE, renderService(record)),
  );
  enqueue(state, record, op, revision);
  return state.operations.render(op.name);
}

/** Services update (PATCH): the whole body or the updateMask paths; a changed template is a new revision. */
export async function updateService(
  state: ApiState,
  name: string,
  body: Json,
  mask: string[],
  allowMissing: boolean,
  validateOnly: boolean,
  principal: string,
): Promise<Json> {
  const existing = state.services.get(name);
  if (!existing) {
    if (!allowMissing) mustGetService(state, name);
    const [, project, , location, , id] = name.split('/');
    return createService(state, project, location, id, body, validateOnly, principal);
  }
  const s = existing;
  // AIP-154: a stale etag is ABORTED (409), the read-modify-write must be retried.
  if (body.etag && body.etag !== s.etag) {
    throw new ApiError(
      'ABORTED',
      `The etag provided (${String(body.etag)}) does not match the current etag of service '${s.id}' (${s.etag}): the service was changed since it was read. Read it again and retry.`,
    );
  }
  const incoming = pickMutable(body);
  const spec: Json = structuredClone(s.spec);
  // docs/platform.md "No mask = full replacement": no mask means the body is the whole desired state, so every
  // mutable field it leaves out is reset; with a mask only the listed paths change.
  const whole = mask.length === 0 || mask.includes('*');
  if (whole) {
    for (const f of MUTABLE_SERVICE_FIELDS) {
      if (incoming[f] === undefined) delete spec[f];
      else spec[f] = incoming[f];
    }
  } else {
    for (const path of mask) applyMaskPath(spec, incoming, path);
  }
  if (Boolean(spec.invokerIamDisabled) !== Boolean(s.spec.invokerIamDisabled))
    requireInvokerControl(state, principal, name);
  if (!spec.template) throw new ApiError('INVALID_ARGUMENT', 'service.template: is required.');
  const templateSent = whole || mask.some((p) => p === 'template' || p.startsWith('template.'));
  let newRevision: string | undefined;
  if (templateSent) {
    // docs/platform.md "Revision names", "Traffic-only update": the template as sent is compared with the stored
    // one of the revision it names (or, unnamed, of the latest), as the API reports it, defaults filled:
    // nothing sent is defaulted first, and REST-only fields count. The same name with any difference is
    // 409; an unnamed difference is a new revision.
    const sent = spec.template as Json;
    const key = templateKey(sent);
    const name = sent.revision ? String(sent.revision) : undefined;
    const same = name
      ? s.revisions.get(name)
      : s.latestCreated
        ? s.revisions.get(s.latestCreated)
        : undefined;
    if (same && templateKey(same.body.__template as Json) === key) {
      spec.template = { ...structuredClone(same.body.__template as Json), revision: name };
      if (!name) delete (spec.template as Json).revision;
    } else if (name && same) {
      throw new ApiError(
        'ALREADY_EXISTS',
        `Revision named '${name}' with different configuration already exists.`,
      );
    } else {
      newRevision = name ?? `${s.id}-${String(s.revisionCount + 1).padStart(5, '0')}-${revisionSuffix()}`;
      spec.template = normalizeTemplate(state, sent);
    }
  }
  const traffic =
    ((spec.traffic as TrafficEntry[] | undefined) ?? []).length > 0
      ? (spec.traffic as TrafficEntry[])
      : [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];
  spec.traffic = traffic;
  const known = new Set([...s.revisions.keys(), ...(newRevision ? [newRevision] : [])]);
  const problems = [
    ...serviceBodyProblems(s.id, spec, 'UpdateServiceRequest'),
    // Unknown revisions fail the operation (code 13), as on Cloud Run; the rest is refused at once.
    ...trafficProblems(s.id, traffic, known).filter((p) => !p.includes('does not exist')),
  ];
  if (problems.length > 0) throw new ApiError('INVALID_ARGUMENT', problems.join('\n'));
  if (validateOnly) {
    const op = state.operations.start(
      s.project,
      s.location,
      SERVICE_TYPE,
      anyOf(SERVICE_TYPE, renderService(s)),
    );
    state.operations.succeed(op, anyOf(SERVICE_TYPE, { ...renderService(s), ...spec }));
    return state.operations.render(op.name);
  }
  s.spec = spec;
  s.generation += 1;
  s.etag = newEtag();
  s.updateTime = stamp(state);
  s.lastModifier = principal;
  s.reconciling = true;
  s.terminalCondition = { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: s.updateTime };
  if (newRevision) addRevision(state, s, newRevision);
  const op = state.operations.start(
    s.project,
    s.location,
    SERVICE_TYPE,
    anyOf(SERVICE_TYPE, renderService(s)),
  );
  enqueue(state, s, op, newRevision);
  return state.operations.render(op.name);
}

/** Services delete: a stale etag is ABORTED; waits for queued updates, then stops the service's instances. */
export async function deleteService(
  state: ApiState,
  name: string,
  etag: string | undefined,
  validateOnly: boolean,
): Promise<Json> {
  const s = mustGetService(state, name);
  if (etag && etag !== s.etag)
    throw new ApiError(
      'ABORTED',
      `The etag provided (${etag}) does not match the current etag of service '${s.id}'.`,
    );
  const op = state.operations.start(
    s.project,
    s.location,
    SERVICE_TYPE,
    anyOf(SERVICE_TYPE, renderService(s)),
  );
  if (validateOnly) {
    state.operations.succeed(op, anyOf(SERVICE_TYPE, renderService(s)));
    return state.operations.render(op.name);
  }
  state.services.delete(name);
  await s.queue;
  await state.opts.dataPlane.removeService(name);
  state.operations.succeed(op, anyOf(SERVICE_TYPE, { ...renderService(s), deleteTime: stamp(state) }));
  return state.operations.render(op.name);
}

/** A fresh service etag, quoted like Google's. */
function newEtag(): string {
  return `"${randomBytes(12).toString('base64url')}"`;
}

function pickMutable(body: Json): Json {
  const out: Json = {};
  for (const f of MUTABLE_SERVICE_FIELDS)
    if (body[f] !== undefined && body[f] !== null) out[f] = structuredClone(body[f]);
  return out;
}

/** Copies one updateMask path (`template`, `scaling.minInstanceCount`, …) from the request into the spec. */
function applyMaskPath(spec: Json, incoming: Json, path: string): void {
  const camel = path.split('.').map((p) => p.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
  if (!MUTABLE_SERVICE_FIELDS.includes(camel[0])) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `updateMask path '${path}' does not name a field that can be updated.`,
    );
  }
  let from: unknown = incoming;
  let to: Json = spec;
  for (let i = 0; i < camel.length - 1; i++) {
    from = (from as Json | undefined)?.[camel[i]];
    to[camel[i]] = (to[camel[i]] ?? {}) as Json;
    to = to[camel[i]] as Json;
  }
  const last = camel[camel.length - 1];
  const value = (from as Json | undefined)?.[last];
  if (value === undefined) delete to[last];
  else to[last] = value;
}

/** A template as the server compares it (presenceCanonical), without its revision name. */
function templateKey(template: Json): string {
  const { revision: _revision, ...rest } = template;
  return JSON.stringify(presenceCanonical(TEMPLATE_TYPE, rest));
}
