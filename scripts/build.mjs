// Bundles the action's entry points into dist/ with ncc: a CommonJS bundle that runs under node24
// (FACTS.md, Toolchain: an ESM bundle crashes inside google-gax, vercel/ncc#749).
// Output is deterministic (no cache, no source maps, no timestamps) so CI can diff dist/ against a fresh build.
import { createRequire } from 'node:module';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Each bundle: its entry file, its output folder, and whether it is an executable script. */
const ENTRIES = [
  { entry: 'src/main.ts', out: 'main', executable: false },
  { entry: 'src/post.ts', out: 'post', executable: false },
  { entry: 'src/cli.ts', out: 'cli', executable: true },
];

const SHEBANG = '#!/usr/bin/env node\n';

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function writeBundle({ entry, out, executable }) {
  const started = Date.now();
  const { code, assets } = await ncc(join(root, entry), {
    cache: false,
    esm: false,
    minify: false,
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
    await writeFile(file, assets[name].source);
    total += Buffer.byteLength(assets[name].source);
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
console.log(`built ${ENTRIES.length} bundles in ${((Date.now() - started) / 1000).toFixed(1)}s`);
