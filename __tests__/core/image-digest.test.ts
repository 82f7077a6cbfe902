// The candidate's pinned image from a revision as read (src/core/image-digest.ts; docs/platform.md "Image digests").
import { pinnedImage } from '../../src/core/image-digest';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

test('the ingress container status by name, as the full reference', () => {
  expect(
    pinnedImage({
      containers: [
        { name: 'sidecar', image: 'us-docker.pkg.dev/p/r/proxy:1' },
        { name: 'app', image: 'us-docker.pkg.dev/p/r/api:2', ports: [{ containerPort: 8080 }] },
      ],
      containerStatuses: [
        { name: 'sidecar', imageDigest: `us-docker.pkg.dev/p/r/proxy@sha256:${'cd'.repeat(32)}` },
        { name: 'app', imageDigest: `us-docker.pkg.dev/p/r/api@${DIGEST}` },
      ],
    }),
  ).toBe(`us-docker.pkg.dev/p/r/api@${DIGEST}`);
});

test('a bare digest is joined to the repository, tag and old digest dropped; a port in the host kept', () => {
  expect(
    pinnedImage({
      containers: [{ image: 'localhost:5000/team/api:2' }],
      containerStatuses: [{ imageDigest: DIGEST }],
    }),
  ).toBe(`localhost:5000/team/api@${DIGEST}`);
});

test('no status, or a malformed digest: undefined', () => {
  expect(pinnedImage({ containers: [{ image: 'x/y:1' }] })).toBeUndefined();
  expect(
    pinnedImage({ containers: [{ image: 'x/y:1' }], containerStatuses: [{ imageDigest: 'md5:1' }] }),
  ).toBeUndefined();
});
