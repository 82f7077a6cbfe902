// Whether dist/ is a build of the sources as they are now, without building: scripts/build.mjs records a
// stamp (the hash of everything a build reads, and of what it wrote) when it writes dist/, and a tree that
// still hashes the same on both sides is that build. Used by the tests' global setup (test-bundles.mjs).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What a build reads besides node_modules (pinned by the lockfile). */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];

/** Where the stamp of the last build into `root`'s dist/ is kept (outside dist/, which is committed). */
export function stampPath(root) {
  const tree = createHash('sha256').update(root).digest('hex').slice(0, 12);
  return join(root, 'node_modules', '.cache', 'stream-deploy', `dist-stamp-${tree}.json`);
}

/** Every file under `path` (or `path` itself), sorted, relative to `root`. */
function filesOf(root, path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [path];
  return readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** A hash of the files' names and contents. */
function hashFiles(root, files) {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

/** The hash of everything a build reads. */
export function inputsHash(root) {
  return hashFiles(
    root,
    INPUTS.flatMap((path) => filesOf(root, path)),
  );
}

/** The hash of a built tree (dist/ or a copy of it). */
export function treeHash(dir) {
  return hashFiles(dir, filesOf(dir, '.'));
}

/** Records that `dist` was just built from the current inputs. */
export function recordBuild(root, dist) {
  const stamp = stampPath(root);
  mkdirSync(join(stamp, '..'), { recursive: true });
  writeFileSync(stamp, JSON.stringify({ inputs: inputsHash(root), dist: treeHash(dist) }) + '\n');
}

/** True when dist/ is the build of the current inputs that build.mjs last recorded. */
export function distIsFresh(root) {
  const stamp = stampPath(root);
  if (!existsSync(stamp) || !existsSync(join(root, 'dist'))) return false;
  try {
    const { inputs, dist } = JSON.parse(readFileSync(stamp, 'utf8'));
    return inputs === inputsHash(root) && dist === treeHash(join(root, 'dist'));
  } catch {
    return false;
  }
}
