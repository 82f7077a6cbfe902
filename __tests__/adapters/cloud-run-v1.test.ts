// The candidate's digest read (docs/platform.md "Image digests"): in production it goes to the v1 API on
// the revision's own regional endpoint, since v1 on Cloud Run is regional and v2 has no digest.
import type { AuthClient } from 'google-auth-library';
import { createCloudRun } from '../../src/adapters/cloud-run';

test('revisionDigest reads the v1 revision from https://REGION-run.googleapis.com', async () => {
  const urls: string[] = [];
  const digest = `us-docker.pkg.dev/p/r/api@sha256:${'a'.repeat(64)}`;
  const authClient = {
    request: async (options: { url: string }) => {
      urls.push(options.url);
      return {
        data: {
          spec: { containers: [{ image: 'us-docker.pkg.dev/p/r/api:2' }] },
          status: { imageDigest: digest },
        },
      };
    },
  } as unknown as AuthClient;
  const cloudRun = createCloudRun({ authClient, operationTimeoutSeconds: 30, project: 'my-proj' });
  await expect(
    cloudRun.revisionDigest('projects/my-proj/locations/europe-west1/services/api', 'api-00002-x'),
  ).resolves.toBe(digest);
  expect(urls).toEqual([
    'https://europe-west1-run.googleapis.com/apis/serving.knative.dev/v1/namespaces/my-proj/revisions/api-00002-x',
  ]);
});
