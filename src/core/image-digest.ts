// The image a revision runs, pinned by digest, from the v1 revision as read (docs/platform.md "Image
// digests": v2's Revision carries no digest). Pure.

/**
 * The ingress container's image pinned by digest: `status.imageDigest` of a v1 Revision. A bare `sha256:…`
 * is joined to the container image's repository; undefined when the revision reports none.
 */
export function pinnedImage(rev: Record<string, unknown>): string | undefined {
  const spec = (rev.spec ?? {}) as { containers?: Array<{ image?: string; ports?: unknown[] }> };
  const status = (rev.status ?? {}) as { imageDigest?: unknown };
  const digest = typeof status.imageDigest === 'string' ? status.imageDigest : undefined;
  if (!digest) return undefined;
  if (/@sha256:[0-9a-f]{64}$/.test(digest)) return digest;
  const containers = spec.containers ?? [];
  const container = containers.find((c) => (c.ports ?? []).length > 0) ?? containers[0];
  if (!/^sha256:[0-9a-f]{64}$/.test(digest) || !container?.image) return undefined;
  const repository = container.image.split('@')[0].replace(/:[^/:]*$/, '');
  return `${repository}@${digest}`;
}
