// The Cloud Run Admin API v1 (Knative serving) as far as this action reads it: GET one revision, for its
// `status.imageDigest` (docs/platform.md "Image digests"; v2's Revision has no digest). v1 is served by
// regional endpoints (`https://REGION-run.googleapis.com`); the emulator answers it on its one address and
// finds the revision in any location of the project. Shapes: cloud.google.com/run/docs/reference/rest/v1/namespaces.revisions.
import type { ApiState, ServiceRecord } from './records';
import { ApiError } from './google-errors';

type Json = Record<string, unknown>;

const REVISION_PATH = /^\/apis\/serving\.knative\.dev\/v1\/namespaces\/([^/]+)\/revisions\/([^/:]+)$/;

/** True when `path` is a v1 path this module answers. */
export function isKnativeV1(path: string): boolean {
  return path.startsWith('/apis/serving.knative.dev/v1/');
}

/**
 * Answers a v1 request; `gate` checks the caller's token and `run.revisions.get` on the revision's v2 name
 * (the same permission v1 needs). Other v1 paths are 404 as an unknown method.
 */
export function dispatchKnativeV1(
  state: ApiState,
  method: string,
  path: string,
  gate: (resource: string, project: string, location: string) => void,
): Json {
  const m = REVISION_PATH.exec(path);
  if (!m || method !== 'GET') throw new ApiError('NOT_FOUND', `Method not found: ${method} ${path}`);
  const [, namespace, revision] = m;
  const numbers = new Set([namespace, state.opts.projectNumber ?? '']);
  let owner: ServiceRecord | undefined;
  for (const s of state.services.values())
    if ((s.project === namespace || numbers.has(s.project)) && s.revisions.has(revision)) owner = s;
  if (!owner) {
    // Signed in and allowed first (401, 403), then not found, as for any missing resource.
    gate(
      `projects/${namespace}/locations/us-central1/services/-/revisions/${revision}`,
      namespace,
      'us-central1',
    );
    throw new ApiError('NOT_FOUND', `Revision ${revision} not found in namespace ${namespace}.`);
  }
  gate(`${owner.name}/revisions/${revision}`, owner.project, owner.location);
  const r = owner.revisions.get(revision)!;
  const t = r.body.__template as Json;
  const ready = r.ready === undefined ? 'Unknown' : r.ready ? 'True' : 'False';
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name: revision,
      namespace: state.opts.projectNumber ?? owner.project,
      uid: r.body.uid,
      generation: Number(r.body.generation ?? 1),
      creationTimestamp: r.body.createTime,
      labels: {
        'serving.knative.dev/service': owner.id,
        'serving.knative.dev/configuration': owner.id,
        'cloud.googleapis.com/location': owner.location,
      },
    },
    spec: {
      containerConcurrency: t.maxInstanceRequestConcurrency,
      timeoutSeconds: Number(String(t.timeout ?? '300s').replace(/s$/, '')),
      serviceAccountName: t.serviceAccount,
      containers: t.containers,
    },
    status: {
      observedGeneration: Number(r.body.generation ?? 1),
      conditions: [{ type: 'Ready', status: ready }],
      ...(r.body.imageDigest !== undefined && { imageDigest: r.body.imageDigest }),
    },
  };
}
