// Changes that take time on Google, as the emulator reproduces them (emulator/README.md): routing follows a
// traffic change `routingLagMs` after its operation is done (a new tag's URL answers 404 until then), and
// the invoker check sees an IAM policy `iamPropagationMs` after it was set (invokerIamDisabled at once).
import type { IdentityPoolClient } from 'google-auth-library';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { wifClient } from '../../emulator/clients';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
type Json = Record<string, any>;

let emulator: Emulator;
let auth: IdentityPoolClient;
let parent: string;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 3000 });
  auth = wifClient(emulator.endpoints);
  parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
});

afterAll(async () => {
  await emulator?.stop();
});

afterEach(() => emulator.faults.reset());

async function rest(method: 'GET' | 'POST' | 'PATCH', path: string, body?: Json): Promise<Json> {
  const res = await auth.request<Json>({
    url: `${emulator.endpoints.runApi.url}/v2/${path}`,
    method,
    data: body,
  });
  return res.data;
}

async function done(op: Json): Promise<void> {
  while (!op.done) {
    await new Promise((r) => setTimeout(r, 30));
    op = await rest('GET', op.name as string);
  }
  expect(op.error).toBeUndefined();
}

const revisionOf = async (url: string): Promise<string | number> => {
  const res = await fetch(`${url}/health`);
  return res.status === 200 ? String(res.headers.get('x-revision')) : res.status;
};

test('routing lag: the old split serves and a new tag 404s until the lag has passed', async () => {
  const name = `${parent}/services/lagged`;
  await done(
    await rest('POST', `${parent}/services?serviceId=lagged`, {
      template: { revision: 'lagged-1', containers: [{ image: `${IMAGE}:v1` }] },
      invokerIamDisabled: true,
    }),
  );
  const live = await rest('GET', name);
  emulator.faults.update({ routingLagMs: 1500 });
  await done(
    await rest('PATCH', `${name}?updateMask=template,traffic`, {
      template: { ...live.template, revision: 'lagged-2', containers: [{ image: `${IMAGE}:v2` }] },
      traffic: [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'lagged-2', percent: 100, tag: 'next' },
      ],
    }),
  );
  const svc = await rest('GET', name);
  const tagUri = (svc.trafficStatuses as Json[]).find((t) => t.tag === 'next')?.uri as string;
  expect(tagUri).toBeDefined();
  expect(await revisionOf(tagUri)).toBe(404);
  expect(await revisionOf(svc.uri)).toBe('lagged-1');
  await new Promise((r) => setTimeout(r, 1700));
  expect(await revisionOf(tagUri)).toBe('lagged-2');
  expect(await revisionOf(svc.uri)).toBe('lagged-2');
});

test('IAM propagation: an allUsers binding opens the service only after the propagation time', async () => {
  const name = `${parent}/services/propagating`;
  await done(
    await rest('POST', `${parent}/services?serviceId=propagating`, {
      template: { containers: [{ image: `${IMAGE}:v1` }] },
    }),
  );
  const svc = await rest('GET', name);
  emulator.faults.update({ iamPropagationMs: 1500 });
  const policy = await rest('GET', `${name}:getIamPolicy`);
  await rest('POST', `${name}:setIamPolicy`, {
    policy: { ...policy, bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
  });
  expect(await revisionOf(svc.uri)).toBe(403);
  await new Promise((r) => setTimeout(r, 1700));
  expect(typeof (await revisionOf(svc.uri))).toBe('string');
});
