// The emulator's stand-in for a container registry: image references map to local commands, because no
// container runtime runs here (docs/platform.md "No Docker engine"). See ../images.json.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One tag of a repository: extra env baked into the "image" and an optional pinned digest. */
export interface CatalogueTag {
  /** Environment the image sets (like Dockerfile ENV); the revision's env overrides it. */
  env?: Record<string, string>;
  /** `sha256:<64 hex>`: the digest that resolves to this tag. */
  digest?: string;
}

/** One repository: what runs when a container of it starts. */
export interface CatalogueRepository {
  /** ENTRYPOINT: replaced by the container's `command`. `node` means the running Node binary. */
  entrypoint: string[];
  /** CMD: replaced by the container's `args` (and dropped when `command` is set, as Docker does). */
  args?: string[];
  /** Env for every tag. */
  env?: Record<string, string>;
  /** Tag used for a reference without tag, and for a digest no tag lists. Default `latest`. */
  defaultTag?: string;
  tags: Record<string, CatalogueTag>;
}

export interface ImageCatalogue {
  /** Working directory of every process; relative paths in entrypoint/args resolve against it. */
  root: string;
  repositories: Record<string, CatalogueRepository>;
}

/** What to spawn for one image reference. */
export interface ResolvedImage {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

interface CatalogueFile {
  /** Directory for relative paths, relative to the catalogue file. Default: the file's directory. */
  root?: string;
  images: Record<string, CatalogueRepository>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The catalogue at `file`, else $STREAM_DEPLOY_EMULATOR_IMAGES, else emulator/images.json. */
export function loadImageCatalogue(file?: string): ImageCatalogue {
  const chosen =
    file ??
    process.env.STREAM_DEPLOY_EMULATOR_IMAGES ??
    path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'images.json');
  const absolute = path.resolve(chosen);
  const parsed = JSON.parse(readFileSync(absolute, 'utf8')) as CatalogueFile;
  if (!parsed || typeof parsed.images !== 'object') {
    throw new Error(`${absolute}: expected an object with "images"`);
  }
  for (const [name, repo] of Object.entries(parsed.images)) {
    if (!Array.isArray(repo.entrypoint) || repo.entrypoint.length === 0) {
      throw new Error(`${absolute}: images["${name}"].entrypoint must be a non-empty array`);
    }
    for (const [tag, entry] of Object.entries(repo.tags ?? {})) {
      if (entry.digest !== undefined && !DIGEST.test(entry.digest)) {
        throw new Error(`${absolute}: images["${name}"].tags["${tag}"].digest must be sha256:<64 hex>`);
      }
    }
  }
  return { root: path.resolve(path.dirname(absolute), parsed.root ?? '.'), repositories: parsed.images };
}

/** Splits `repo[:tag][@sha256:…]`; the tag is the part after the last `:` of the last path segment. */
export function parseImageReference(ref: string): { repository: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = ref.split('@', 2);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) {
    return { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  }
  return { repository: withoutDigest, digest };
}

/** The command for `ref`, or undefined when the catalogue has no such repository, tag or digest form. */
export function resolveImage(
  catalogue: ImageCatalogue,
  ref: string,
  overrides: { command?: string[]; args?: string[] } = {},
): ResolvedImage | undefined {
  const { repository, tag, digest } = parseImageReference(ref.trim());
  const repo = catalogue.repositories[repository];
  if (!repo) return undefined;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  const defaultTag = repo.defaultTag ?? 'latest';
  let tagName: string | undefined = tag ?? defaultTag;
  if (digest !== undefined) {
    const pinned = Object.entries(repo.tags).find(
      ([name, entry]) => (entry.digest ?? tagDigest(repository, name)) === digest,
    )?.[0];
    if (tag !== undefined && pinned !== undefined && pinned !== tag) return undefined;
    tagName = pinned ?? tag ?? defaultTag;
  }
  const entry = repo.tags[tagName];
  if (!entry) return undefined;

  const hasCommand = overrides.command !== undefined && overrides.command.length > 0;
  const entrypoint = hasCommand ? overrides.command! : repo.entrypoint;
  const args =
    overrides.args !== undefined && overrides.args.length > 0
      ? overrides.args
      : hasCommand
        ? []
        : (repo.args ?? []);
  const argv = [...entrypoint, ...args];
  if (argv[0] === 'node') argv[0] = process.execPath;
  return { argv, env: { ...repo.env, ...entry.env }, cwd: catalogue.root };
}

/** The digest a tag without a pinned one has here: stable, derived from the repository and tag. */
function tagDigest(repository: string, tag: string): string {
  return `sha256:${createHash('sha256').update(`${repository}:${tag}`).digest('hex')}`;
}

/**
 * What a registry resolves `ref` to, as a revision records it (`containerStatuses[].imageDigest`,
 * docs/platform.md "Image digests"): `REPOSITORY@sha256:…`, or undefined when the catalogue cannot pull it.
 */
export function imageDigest(catalogue: ImageCatalogue, ref: string): string | undefined {
  if (!resolveImage(catalogue, ref)) return undefined;
  const { repository, tag, digest } = parseImageReference(ref.trim());
  if (digest !== undefined) return `${repository}@${digest}`;
  const repo = catalogue.repositories[repository];
  const name = tag ?? repo.defaultTag ?? 'latest';
  return `${repository}@${repo.tags[name].digest ?? tagDigest(repository, name)}`;
}
