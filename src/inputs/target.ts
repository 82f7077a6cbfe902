// Target: the project, region, service and image inputs. The id patterns are core/name-rules.ts, shared with
// the CLI's flags.
import { show } from './shared';

export const SERVICE_EXPECTED =
  'a Cloud Run service id such as `api`: lowercase letters, digits and hyphens, starting with a letter, ' +
  'not ending with a hyphen, fewer than 50 characters';

export const PROJECT_EXPECTED =
  'a Google Cloud project id such as `my-project` (6 to 30 lowercase letters, digits, hyphens)';

export const IMAGE_EXAMPLE = '`us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG` or `…/IMAGE@sha256:<64 hex>`';
// The distribution reference grammar: lowercase path components joined by `.`, `_`, `__` or dashes.
const IMAGE_PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const IMAGE_HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

// The registries Cloud Run pulls from directly: Artifact Registry, Container Registry and Docker Hub. Any other
// registry needs an Artifact Registry remote repository in front of it (cloud.google.com/run/docs/deploying,
// "Supported container registries and images"; the API's own 400 "Expected an image path like [host/]repo-path
// …, where host is one of [region.]gcr.io, [region-]docker.pkg.dev or docker.io"). Newer revisions of that page
// also list public GitHub Container Registry images, so `ghcr.io` is let through (docs/platform.md "Limits
// on inputs", "Images Cloud Run can deploy").
export const SUPPORTED_REGISTRIES =
  'Artifact Registry (`REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`), Container Registry (`gcr.io`, `*.gcr.io`) or Docker Hub (`docker.io/…`)';
export const DIRECT_REGISTRY =
  /^(?:[a-z0-9-]+-docker\.pkg\.dev|docker\.pkg\.dev|gcr\.io|[a-z0-9-]+\.gcr\.io|docker\.io|index\.docker\.io|registry-1\.docker\.io)$/;
export const REMOTE_REPOSITORY_DOC =
  'https://cloud.google.com/artifact-registry/docs/repositories/remote-repo';

// A registry host Google's servers can never reach: loopback or a bare IP address, `localhost`, or a host
// with its own port (a private registry); undefined when the host may be reachable.
function findUnreachableRegistry(host: string): string | undefined {
  const name = host.replace(/:[0-9]+$/, '').toLowerCase();
  if (DIRECT_REGISTRY.test(name) && name === host.toLowerCase()) return undefined;
  if (name === 'localhost' || name.endsWith('.localhost')) return `\`${host}\` is this machine`;
  if (/^[0-9]+(?:\.[0-9]+){3}$/.test(name)) return `\`${host}\` is an IP address`;
  if (host.includes(':')) return `\`${host}\` is a private registry with its own port`;
  return undefined;
}

// What is wrong with an image reference `HOST/PATH[:TAG][@sha256:DIGEST]`, or undefined when it is sound.
export function findImageMistake(ref: string): string | undefined {
  if (/\s/.test(ref)) return `${show(ref)} contains whitespace`;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(ref);
  if (scheme) return `${show(ref)} starts with \`${scheme[0]}\`, but image references have no URL scheme`;

  let rest = ref;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const digest = rest.slice(at + 1);
    if (!IMAGE_DIGEST.test(digest))
      return `${show(ref)} has a malformed digest ${show(digest)} (a digest is \`sha256:\` and 64 lowercase hex characters)`;
    rest = rest.slice(0, at);
  }
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    const tag = rest.slice(lastColon + 1);
    if (!IMAGE_TAG.test(tag))
      return `${show(ref)} has an invalid tag ${show(tag)} (letters, digits, \`_\`, \`.\`, \`-\`, not starting with \`.\` or \`-\`, at most 128 characters)`;
    rest = rest.slice(0, lastColon);
  }

  const parts = rest.split('/');
  const host = parts[0];
  const hasHost = parts.length > 1 && (host.includes('.') || host.includes(':') || host === 'localhost');
  if (!hasHost)
    return `${show(ref)} has no registry host (Cloud Run would look for it on Docker Hub; write \`docker.io/…\` if that is meant)`;
  if (!IMAGE_HOST.test(host)) return `${show(ref)} has an invalid registry host ${show(host)}`;
  const unreachable = findUnreachableRegistry(host);
  if (unreachable)
    return `${show(ref)} cannot be pulled by Cloud Run: ${unreachable}; Cloud Run pulls only from ${SUPPORTED_REGISTRIES}, or from other registries through an Artifact Registry remote repository (${REMOTE_REPOSITORY_DOC})`;
  const path = parts.slice(1);
  for (const component of path) {
    if (component === '') return `${show(ref)} has an empty path component`;
    if (!IMAGE_PATH_COMPONENT.test(component)) {
      if (IMAGE_PATH_COMPONENT.test(component.toLowerCase()))
        return `${show(ref)} has uppercase letters in its repository path (${show(component)}); registry paths are lowercase`;
      return `${show(ref)} has an invalid path component ${show(component)} (lowercase letters and digits, joined by \`.\`, \`_\` or \`-\`)`;
    }
  }
  if (/-docker\.pkg\.dev$/.test(host) && path.length < 3)
    return `${show(ref)} is too short for Artifact Registry, whose images are \`HOST/PROJECT/REPOSITORY/IMAGE\``;
  return undefined;
}
