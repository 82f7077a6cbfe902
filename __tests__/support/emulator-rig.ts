// The rig of the local Cloud Run tests, shared by __tests__/emulator/cloud-run.test.ts and
// cloud-run-refusals.test.ts: an emulator with the real @google-cloud/run and google-auth-library clients
// signed in to it, the calls the tests make through them, and the slots the cases that start revisions share.
import type { IdentityPoolClient } from 'google-auth-library';
import type { protos, RevisionsClient, ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { LRO, runClients, wifClient } from '../../emulator/clients';
import { limiter } from './concurrent-cases';

export const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const FAST = [{ name: 'TICK_MS', value: '100' }];

type Service = protos.google.cloud.run.v2.IService;

export function template(tag: string, extra: Record<string, unknown> = {}) {
  return { containers: [{ image: `${IMAGE}:${tag}`, env: FAST }], ...extra };
}

export function shortName(full: string | null | undefined): string {
  return String(full).split('/').pop() as string;
}

/** An emulator with the real clients signed in to it, and the calls the tests make through them. */
export interface Rig {
  emulator: Emulator;
  auth: IdentityPoolClient;
  services: ServicesClient;
  revisions: RevisionsClient;
  parent: string;
  create(id: string, body: Record<string, unknown>): Promise<Service>;
  update(service: Record<string, unknown>): Promise<Service>;
  get(name: string): Promise<Service>;
  makePublic(name: string): Promise<void>;
  raw(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const emulator = await startEmulator({ startupDeadlineMs: 10_000 });
  const auth = wifClient(emulator.endpoints);
  const { services, revisions } = runClients(emulator.endpoints, auth);
  const parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
  return {
    emulator,
    auth,
    services,
    revisions,
    parent,
    async create(id, body) {
      const [op] = await services.createService({ parent, serviceId: id, service: body }, LRO);
      const [svc] = await op.promise();
      return svc;
    },
    async update(service) {
      const [op] = await services.updateService({ service }, LRO);
      const [svc] = await op.promise();
      return svc;
    },
    async get(name) {
      const [svc] = await services.getService({ name });
      return svc;
    },
    async makePublic(name) {
      await services.setIamPolicy({
        resource: name,
        policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
      });
    },
    async raw(method, path, body, token) {
      const bearer = token ?? (await auth.getAccessToken()).token;
      const res = await fetch(`${emulator.endpoints.runApi.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    async close() {
      await services.close();
      await revisions.close();
      await emulator.stop();
    },
  };
}

// The cases run side by side. Those on a file's shared emulator change none of its faults and each uses its
// own service names; a case that sets faults or clears the wire log gets an emulator of its own. A case that
// starts revisions takes one of two slots: two starts at once took up to 1.2 s on a loaded 2-CPU machine
// with two busy loops beside them. Jest loads this module afresh for each test file, so each file has two
// slots of its own, and two files can start four at once: a start has 10 s (no case here waits for the
// deadline; a revision that fails, fails by exiting or by its configuration).
const slot = limiter(2);

/** `fn` as a case that runs in a slot. */
export const inSlot = (fn: () => Promise<void>) => () => slot(fn);

/**
 * Runs `fn` on an emulator of its own, in a slot; then checks its request bodies, as the last test of each
 * file does the shared emulator's.
 */
export function isolated(fn: (rig: Rig) => Promise<void>): Promise<void> {
  return slot(async () => {
    const rig = await startRig();
    try {
      await fn(rig);
      expect(rig.emulator.api.wire.protoProblems).toEqual([]);
    } finally {
      await rig.close();
    }
  });
}
