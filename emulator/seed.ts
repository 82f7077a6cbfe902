// Seeding, a test control beside the faults: a service with one ready revision, made in one step instead
// of a whole release. The emulator creates it through its own Cloud Run API (a services.create and one
// operations.get, counted like any client's), so the service is exactly what the API makes of that body;
// only the client's side is skipped: no action run, no token exchange, no polling back-off, no smoke test.
import { randomBytes } from 'node:crypto';
import type { WireLog } from './api/wire-log';

export interface SeedServiceOptions {
  /** Service id. */
  service: string;
  /** Image reference as a deploy names it, e.g. `us-docker.pkg.dev/demo/streams/stream-app:v1`. */
  image: string;
  /** Default `us-central1`. */
  region?: string;
  /** The container's environment. */
  env?: Record<string, string>;
  /** Tags on the revision: the first on its 100 % entry (as a release's tag), others as 0 % tag-only entries. */
  tags?: string[];
  /** `invokerIamDisabled: true`: anyone may call the service URLs. Default false (private). */
  public?: boolean;
  /** The revision's name; default `SERVICE-00001-xyz`, as the API generates. */
  revision?: string;
  /**
   * Further fields of the REST Service body, as a client would send them (e.g. `labels`, `annotations`,
   * `scaling`); `template` merges into the seeded template and `template.containers[0]` into its container.
   */
  fields?: Record<string, unknown>;
}

/** The seeded service: its full name, its one ready revision and its URL. */
export interface SeededService {
  name: string;
  revision: string;
  uri: string;
}

type Json = Record<string, unknown>;

/** How long a seed waits for its create (a revision start is bounded by the startup deadline). */
const SEED_DEADLINE_MS = 300_000;

/** Where and how the seed reaches the emulator's own Cloud Run API. */
export interface SeedTarget {
  baseUrl: string;
  project: string;
  /** A bearer the API accepts with every permission (the control principal's). */
  token: string;
  /** The API's operation timeline, to wait for the create without polling calls. */
  operations: WireLog['operations'];
}

/** Creates the service and resolves once its revision is ready and serving; rejects with the API's error. */
export async function seedService(target: SeedTarget, options: SeedServiceOptions): Promise<SeededService> {
  const region = options.region ?? 'us-central1';
  const revision =
    options.revision ?? `${options.service}-00001-${randomBytes(2).toString('hex').slice(0, 3)}`;
  const body = seedBody(options, revision);
  const parent = `projects/${target.project}/locations/${region}`;
  const headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
  const created = await call(
    `${target.baseUrl}/v2/${parent}/services?serviceId=${encodeURIComponent(options.service)}`,
    { method: 'POST', headers, body: JSON.stringify(body) },
  );
  const operation = String(created.name);
  for (const deadline = Date.now() + SEED_DEADLINE_MS; ;) {
    if (target.operations.find((o) => o.name === operation)?.doneAt !== undefined) break;
    if (Date.now() > deadline)
      throw new Error(
        `seeding ${options.service}: the create did not finish in ${SEED_DEADLINE_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const done = await call(`${target.baseUrl}/v2/${operation}`, { headers });
  if (done.error)
    throw new Error(`seeding ${options.service} failed: ${(done.error as { message?: string }).message}`);
  const service = done.response as Json;
  return { name: String(service.name), revision, uri: String(service.uri ?? '') };
}

/** The REST body of the create: one revision taking all traffic, with its tags. */
function seedBody(options: SeedServiceOptions, revision: string): Json {
  const { template: extraTemplate, ...extra } = (options.fields ?? {}) as Json & { template?: Json };
  const { containers: extraContainers, ...templateRest } = extraTemplate ?? {};
  const container = {
    image: options.image,
    ...(options.env && {
      env: Object.entries(options.env).map(([name, value]) => ({ name, value })),
    }),
    ...((extraContainers as Json[] | undefined)?.[0] ?? {}),
  };
  const [first, ...others] = options.tags ?? [];
  const entry = { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision };
  return {
    ...extra,
    template: { ...templateRest, revision, containers: [container] },
    traffic: [
      { ...entry, percent: 100, ...(first && { tag: first }) },
      ...others.map((tag) => ({ ...entry, percent: 0, tag })),
    ],
    ...(options.public && { invokerIamDisabled: true }),
  };
}

async function call(url: string, init: RequestInit): Promise<Json> {
  const res = await fetch(url, init);
  const body = (await res.json()) as Json;
  if (!res.ok)
    throw new Error(
      `seeding: ${init.method ?? 'GET'} ${url} answered ${res.status}: ${(body.error as { message?: string })?.message}`,
    );
  return body;
}
