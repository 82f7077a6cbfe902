// The candidate's pinned image from a v1 revision as read (src/core/image-digest.ts; docs/platform.md "Image digests").
import { pinnedImage } from '../../src/core/image-digest';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

test('the full reference v1 reports is taken as it is', () => {
  expect(
    pinnedImage({
      spec: { containers: [{ image: 'us-docker.pkg.dev/p/r/api:2' }] },
      status: { imageDigest: `us-docker.pkg.dev/p/r/api@${DIGEST}` },
    }),
  ).toBe(`us-docker.pkg.dev/p/r/api@${DIGEST}`);
});

test("a bare digest is joined to the ingress container's repository, tag dropped, a port in the host kept", () => {
  expect(
    pinnedImage({
      spec: {
        containers: [
          { image: 'us-docker.pkg.dev/p/r/proxy:1' },
          { image: 'localhost:5000/team/api:2', ports: [{ containerPort: 8080 }] },
        ],
      },
      status: { imageDigest: DIGEST },
    }),
  ).toBe(`localhost:5000/team/api@${DIGEST}`);
});

test('no digest, or a malformed one: undefined', () => {
  expect(pinnedImage({ spec: { containers: [{ image: 'x/y:1' }] }, status: {} })).toBeUndefined();
  expect(
    pinnedImage({ spec: { containers: [{ image: 'x/y:1' }] }, status: { imageDigest: 'md5:1' } }),
  ).toBeUndefined();
});
