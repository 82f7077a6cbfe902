// gRPC through the emulator's router to an instance whose port is named h2c: the request's `te: trailers`
// and the instance's trailers (`grpc-status`) pass through, so Health/Check and Watch work end to end.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdentityPoolClient } from 'google-auth-library';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { wifClient } from '../../emulator/clients';
import { repoRoot } from '../../emulator/repo-root';
import { probeGrpc } from '../../src/adapters/grpc-probe';
import { judgeGrpc } from '../../src/core/grpc-verdict';

type Json = Record<string, any>;
let emulator: Emulator;
let auth: IdentityPoolClient;

beforeAll(async () => {
  // The repository's catalogue plus the gRPC sample server as its own image.
  const catalogue = JSON.parse(readFileSync(join(repoRoot(), 'emulator', 'images.json'), 'utf8')) as Json;
  catalogue.root = repoRoot();
  catalogue.images['us-docker.pkg.dev/demo/streams/grpc-test'] = {
    entrypoint: ['node'],
    args: ['examples/stream-app/grpc-server.mjs'],
    defaultTag: 'latest',
    tags: { latest: {}, 'not-serving': { env: { GRPC_HEALTH_STATUS: 'NOT_SERVING' } } },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'grpc-images-')), 'images.json');
  writeFileSync(file, JSON.stringify(catalogue));
  emulator = await startEmulator({ startupDeadlineMs: 4000, imagesPath: file });
  auth = wifClient(emulator.endpoints);
});

afterAll(async () => {
  await emulator?.stop();
});

async function deploy(id: string, tag: string): Promise<string> {
  const parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
  const base = `${emulator.endpoints.runApi.url}/v2`;
  let op = (
    await auth.request<Json>({
      url: `${base}/${parent}/services?serviceId=${id}`,
      method: 'POST',
      data: {
        invokerIamDisabled: true,
        template: {
          containers: [
            {
              image: `us-docker.pkg.dev/demo/streams/grpc-test:${tag}`,
              ports: [{ name: 'h2c', containerPort: 8080 }],
            },
          ],
        },
      },
    })
  ).data;
  while (!op.done) {
    await new Promise((r) => setTimeout(r, 50));
    op = (await auth.request<Json>({ url: `${base}/${op.name}` })).data;
  }
  expect(op.error).toBeUndefined();
  return (await auth.request<Json>({ url: `${base}/${parent}/services/${id}` })).data.uri as string;
}

test.each([
  ['latest', true],
  ['not-serving', false],
])('gRPC health through the router (%s)', async (tag, ok) => {
  const uri = await deploy(`grpc-${tag}`, tag);
  const obs = await probeGrpc(uri, { durationMs: 1000, deadlineMs: 5000 });
  const verdict = judgeGrpc(obs, { durationMs: 1000, firstEventTimeoutMs: 5000 });
  const health = verdict.checks.find((c) => c.name === 'grpc-health');
  expect([health?.ok, health?.detail]).toEqual([ok, expect.any(String)]);
  expect(verdict.checks.find((c) => c.name === 'grpc-watch')?.ok).toBe(ok);
});
