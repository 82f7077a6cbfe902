// The image a revision runs, pinned by digest, from the revision as read (docs/platform.md "Image digests"). Pure.
/**
 * The ingress container's image pinned by digest, from a revision as read: `containerStatuses[].imageDigest`
 * by container name (docs/platform.md "Image digests"). A bare `sha256:…` is joined to the image's repository.
 */
export function pinnedImage(rev: Record<string, unknown>): string | undefined {
  const containers = (rev.containers ?? []) as Array<{ name?: string; image?: string; ports?: unknown[] }>;
  const statuses = (rev.containerStatuses ?? []) as Array<{ name?: string; imageDigest?: string }>;
  const found = containers.findIndex((c) => (c.ports ?? []).length > 0);
  const at = found >= 0 ? found : 0;
  const container = containers[at];
  const status =
    (container?.name !== undefined && statuses.find((s) => s.name === container.name)) || statuses[at];
  const digest = status?.imageDigest;
  if (!digest) return undefined;
  if (digest.includes('@')) return digest;
  if (!/^sha256:[0-9a-f]{64}$/.test(digest) || !container?.image) return undefined;
  const repository = container.image.split('@')[0].replace(/:[^/:]*$/, '');
  return `${repository}@${digest}`;
}
