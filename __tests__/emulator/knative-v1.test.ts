// The v1 revision read (emulator/api/knative-v1.ts): the image digest v2 does not report, resolved at the
// revision's creation, which resolves back to the same image; unknown revisions are 404, tokens checked.
import { wifClient } from '../../emulator/clients';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { resolveImage, loadImageCatalogue } from '../../emulator/data-plane/image-catalogue';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 5000 });
});
afterAll(() => emulator.stop());

async function accessToken(): Promise<string> {
  return String((await wifClient(emulator.endpoints).getAccessToken()).token);
}

async function call(path: string, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emulator.endpoints.runApi.url}/${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: await res.json() };
}

test('a revision deployed by tag reports the digest its tag resolved to; v2 reports none', async () => {
  const project = emulator.endpoints.project;
  const { revision } = await emulator.seedService({ service: 'digests', image: `${IMAGE}:latest` });
  const token = await accessToken();
  const got = await call(`apis/serving.knative.dev/v1/namespaces/${project}/revisions/${revision}`, token);
  expect(got.status).toBe(200);
  expect(got.body).toMatchObject({ apiVersion: 'serving.knative.dev/v1', kind: 'Revision' });
  const digest = got.body.status.imageDigest as string;
  expect(digest).toMatch(new RegExp(`^${IMAGE}@sha256:[0-9a-f]{64}$`));
  const catalogue = loadImageCatalogue();
  expect(resolveImage(catalogue, digest)?.env).toEqual(resolveImage(catalogue, `${IMAGE}:latest`)?.env);
  const v2Revision = await call(
    `v2/projects/${project}/locations/us-central1/services/digests/revisions/${revision}`,
    token,
  );
  expect(JSON.stringify(v2Revision.body)).not.toMatch(/sha256/);
});

test('an unknown revision is 404; no token is 401', async () => {
  const project = emulator.endpoints.project;
  const token = await accessToken();
  expect(
    (await call(`apis/serving.knative.dev/v1/namespaces/${project}/revisions/nope-00001-x`, token)).status,
  ).toBe(404);
  expect(
    (await call(`apis/serving.knative.dev/v1/namespaces/${project}/revisions/nope-00001-x`)).status,
  ).toBe(401);
});
