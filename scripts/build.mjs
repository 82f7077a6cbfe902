// Bundles the action's entry points into dist/ with ncc: a CommonJS bundle that runs under node24
// (docs/platform.md "Toolchain": an ESM bundle crashes inside google-gax, vercel/ncc#749).
// Output is deterministic (no cache, no source maps, no timestamps) so CI can diff dist/ against a fresh build.
import { createRequire } from 'node:module';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeStamp } from './bundle-freshness.mjs';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const esbuild = require('esbuild');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` builds elsewhere (the tests' global setup builds into node_modules/.cache); default dist/.
const outAt = process.argv.indexOf('--out');
const dist = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(root, 'dist');

/** Each bundle: its entry file, its output folder, and whether it is an executable script. */
const ENTRIES = [
  { entry: 'src/main.ts', out: 'main', executable: false },
  { entry: 'src/post.ts', out: 'post', executable: false },
  { entry: 'src/cli.ts', out: 'cli', executable: true },
];

const SHEBANG = '#!/usr/bin/env node\n';

/** The lazily loaded chunks (the Google libraries) next to index.js. */
const CHUNK = /^\d+\.index\.js$/;

/**
 * ncc's `minify` runs terser on index.js only and writes the chunks as they are, comments and indentation
 * included (about 60 % of the Google chunk). esbuild minifies them as ncc treats index.js: function and
 * class names kept (stack traces stay readable), licence comments kept, the CommonJS chunk format untouched.
 */
function minifyChunk(source) {
  return esbuild.transformSync(source.toString(), {
    loader: 'js',
    target: 'es2022',
    minify: true,
    keepNames: true,
    legalComments: 'inline',
  }).code;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function writeBundle({ entry, out, executable }) {
  const started = Date.now();
  const { code, assets } = await ncc(join(root, entry), {
    cache: false,
    esm: false,
    minify: true,
    sourceMap: false,
    sourceMapRegister: false,
    license: 'licenses.txt',
    target: 'es2022',
    transpileOnly: true,
    quiet: true,
  });
  const dir = join(dist, out);
  await mkdir(dir, { recursive: true });
  const body = executable && !code.startsWith('#!') ? SHEBANG + code : code;
  const main = join(dir, 'index.js');
  await writeFile(main, body);
  if (executable) await chmod(main, 0o755);
  let total = Buffer.byteLength(body);
  for (const name of Object.keys(assets).sort()) {
    const file = join(dir, name);
    await mkdir(dirname(file), { recursive: true });
    const source = CHUNK.test(name) ? minifyChunk(assets[name].source) : assets[name].source;
    await writeFile(file, source);
    total += Buffer.byteLength(source);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${relative(root, main)}: ${kib(Buffer.byteLength(body))}` +
      ` (+${Object.keys(assets).length} asset files, ${kib(total)} total) in ${seconds}s`,
  );
}

const started = Date.now();
// Stale files from an earlier build (a removed entry or asset) must not survive into the committed dist/.
await rm(dist, { recursive: true, force: true });
for (const entry of ENTRIES) await writeBundle(entry);
// The stamp that shows this is the build of these sources (scripts/bundle-freshness.mjs; the tests read it).
writeStamp(root, dist);
console.log(`built ${ENTRIES.length} bundles in ${((Date.now() - started) / 1000).toFixed(1)}s`);
