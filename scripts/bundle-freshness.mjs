// Whether a folder of bundles (dist/, or a test build) is the build of the sources as they are now, without
// building: scripts/build.mjs writes `build-inputs.json` into it (the hash of everything a build reads, and
// of the bundles it wrote), and a folder whose sources and bundles still hash the same is that build. CI
// checks the committed dist/, this file included, against a fresh build, so a fresh clone's dist/ proves
// itself too. Used by the tests' global setup (test-bundles.mjs).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What a build reads besides node_modules (pinned by the lockfile). */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];

/** The stamp's name in a folder of bundles. */
export const STAMP = 'build-inputs.json';

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

/** The hash of everything a build of `root` reads. */
export function inputsHash(root) {
  return hashFiles(
    root,
    INPUTS.flatMap((path) => filesOf(root, path)),
  );
}

/** The hash of the bundles in `dir` (every file but the stamp). */
function bundlesHash(dir) {
  return hashFiles(
    dir,
    filesOf(dir, '.').filter((file) => file !== STAMP),
  );
}

/** Records in `dir` that its bundles were just built from `root`'s sources as they are. */
export function writeStamp(root, dir) {
  const stamp = { inputs: inputsHash(root), bundles: bundlesHash(dir) };
  writeFileSync(join(dir, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** True when `dir` holds the build of `root`'s sources as they are now, untouched since. */
export function isBuildOf(root, dir) {
  try {
    const { inputs, bundles } = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
    return inputs === inputsHash(root) && bundles === bundlesHash(dir);
  } catch {
    return false;
  }
}
