// Shared by the platform behaviour tests (emulator/README.md, "Platform behaviours"): each test file starts
// its own emulator with usePlatformEmulator(), whose handles below are live bindings, and drives it over raw
// REST JSON (as the action's REST adapter speaks it: string enums, explicit updateMask) or through the real
// @google-cloud/run client.
import type { IdentityPoolClient } from 'google-auth-library';
import type { RevisionsClient, ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../../emulator/emulator';
import { runClients, wifClient } from '../../../emulator/clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const FAST = [{ name: 'TICK_MS', value: '100' }];
export const DEFAULT_PROBE = { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 };

export let emulator: Emulator;
let auth: IdentityPoolClient;
export let services: ServicesClient;
export let revisions: RevisionsClient;
export let parent: string;

/** Starts the emulator before the file's tests and stops it after them; resets its faults after each test. */
export function usePlatformEmulator(): void {
  beforeAll(async () => {
    emulator = await startEmulator({ startupDeadlineMs: 3000 });
    auth = wifClient(emulator.endpoints);
    ({ services, revisions } = runClients(emulator.endpoints, auth));
    parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
  });

  afterAll(async () => {
    await services?.close();
    await revisions?.close();
    await emulator?.stop();
  });

  afterEach(() => emulator.faults.reset());
}

export type Json = Record<string, any>;

export async function raw(
  method: string,
  path: string,
  body?: unknown,
  query: Record<string, string> = {},
): Promise<{ status: number; json: Json }> {
  const { token } = await auth.getAccessToken();
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${emulator.endpoints.runApi.url}/v2/${path}${qs ? `?${qs}` : ''}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Polls a raw LRO until done; returns the final operation. */
export async function settle(op: Json): Promise<Json> {
  let current = op;
  while (!current.done) {
    await new Promise((r) => setTimeout(r, 30));
    current = (await raw('GET', current.name as string)).json;
  }
  return current;
}

export async function rawCreate(id: string, service: Json): Promise<Json> {
  const res = await raw('POST', `${parent}/services`, service, { serviceId: id });
  expect(res.status).toBe(200);
  const op = await settle(res.json);
  expect(op.error).toBeUndefined();
  return (await raw('GET', `${parent}/services/${id}`)).json;
}

export async function rawPatch(name: string, service: Json, updateMask?: string): Promise<Json> {
  const res = await raw('PATCH', name, service, updateMask === undefined ? {} : { updateMask });
  if (res.status !== 200) return { httpError: res };
  return settle(res.json);
}

export function template(tag: string, extra: Json = {}): Json {
  return { containers: [{ image: `${IMAGE}:${tag}`, env: FAST }], ...extra };
}

export function short(full: unknown): string {
  return String(full).split('/').pop() as string;
}
