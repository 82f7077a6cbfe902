// Jest's global setup: the tests that run the built action (through scripts/local-runner.ts, as the runner
// runs it) never run bundles older than the sources. dist/ is used when its stamp shows it is the build of
// the sources as they are (scripts/bundle-freshness.mjs); otherwise a build of the current sources is made
// once per state of the sources in node_modules/.cache/stream-deploy/bundles/ and the tests run that
// (STREAM_DEPLOY_DIST). dist/ itself is never rewritten here: it is committed, and other runs may be
// executing it. Runs that select no such test build nothing.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputsHash, isBuildOf } from './bundle-freshness.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const cache = join(root, 'node_modules', '.cache', 'stream-deploy', 'bundles');
/** Builds not used for this long are removed (a build another run is executing is used, so it is kept). */
const KEEP_UNUSED_MS = 6 * 3600_000;

/** Whether a test file runs the bundles: it uses the local runner, directly or through the support. */
export function runsTheBundles(file) {
  return /scripts\/local-runner|support\/action-world|support\/fault-suite/.test(readFileSync(file, 'utf8'));
}

/** The test files that run the bundles. */
function bundleTests() {
  const dir = join(root, '__tests__');
  return readdirSync(dir, { recursive: true })
    .filter((file) => String(file).endsWith('.test.ts'))
    .map((file) => join(dir, String(file)))
    .filter(runsTheBundles);
}

/** Whether this run may select a test that runs the bundles. */
function runsBundles(globalConfig) {
  if (globalConfig.listTests) return false;
  if (globalConfig.onlyChanged || globalConfig.findRelatedTests) return true;
  const patterns = globalConfig.testPathPatterns;
  if (!patterns?.isSet?.()) return true;
  const executor = patterns.toExecutor({ rootDir: globalConfig.rootDir });
  return bundleTests().some((file) => executor.isMatch(file));
}

export default function setup(globalConfig) {
  if (process.env.STREAM_DEPLOY_DIST || !runsBundles(globalConfig) || isBuildOf(root, join(root, 'dist')))
    return;
  const hash = inputsHash(root).slice(0, 16);
  const dir = join(cache, hash);
  if (!isBuildOf(root, dir)) {
    const started = Date.now();
    const building = `${dir}.building-${process.pid}`;
    mkdirSync(cache, { recursive: true });
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out', building], {
      cwd: root,
      encoding: 'utf8',
    });
    if (build.status !== 0) {
      rmSync(building, { recursive: true, force: true });
      throw new Error(`Building the bundles for the tests failed:\n${build.stdout}\n${build.stderr}`);
    }
    // A cached build that no longer proves itself (edited by hand) is replaced; one another run just made is kept.
    if (existsSync(dir) && !isBuildOf(root, dir)) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(building, dir);
    } catch {
      // Another run built the same sources first: theirs is the same build.
      rmSync(building, { recursive: true, force: true });
    }
    console.log(
      `\ndist/ is not a build of the sources as they are: the tests run a fresh build, ` +
        `node_modules/.cache/stream-deploy/bundles/${hash} (built in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
        '`npm run build` updates dist/).',
    );
  }
  const now = new Date();
  utimesSync(dir, now, now);
  for (const other of readdirSync(cache)) {
    const path = join(cache, other);
    if (path !== dir && Date.now() - statSync(path).mtimeMs > KEEP_UNUSED_MS)
      rmSync(path, { recursive: true, force: true });
  }
  process.env.STREAM_DEPLOY_DIST = dir;
}
