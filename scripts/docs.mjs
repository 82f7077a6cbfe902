// Regenerates the inputs and outputs tables in README.md from action.yml, so the docs cannot drift from the
// public contract. `--check` writes nothing and exits 1 when README.md is out of date.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import * as prettier from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
// `--readme PATH` points at another file (used to try the generator without touching the real README).
const readmeArg = args.indexOf('--readme');
const readmePath = readmeArg === -1 ? join(root, 'README.md') : resolve(args[readmeArg + 1]);

function cell(text) {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');
}

function inputsTable(inputs) {
  const rows = Object.entries(inputs ?? {}).map(([name, spec]) => {
    const fallback = spec.default === undefined ? '' : `\`${cell(spec.default)}\``;
    return `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${fallback} | ${cell(spec.description)} |`;
  });
  return ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function outputsTable(outputs) {
  const rows = Object.entries(outputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`,
  );
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n');
}

// Prettier also checks README.md (npm run format-check), so the table is emitted in Prettier's own layout.
async function formatTable(table) {
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return (await prettier.format(table, { ...options, filepath: readmePath })).trimEnd();
}

async function replaceSection(text, name, table) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1 || to < from) return { text, found: false };
  const body = `${start}\n\n${await formatTable(table)}\n\n`;
  return { text: text.slice(0, from) + body + text.slice(to), found: true };
}

const action = load(await readFile(join(root, 'action.yml'), 'utf8'));
let readme;
try {
  readme = await readFile(readmePath, 'utf8');
} catch {
  console.log(`docs: ${relative(root, readmePath)} does not exist yet; nothing to generate.`);
  process.exit(0);
}

const inputs = await replaceSection(readme, 'inputs', inputsTable(action.inputs));
const outputs = await replaceSection(inputs.text, 'outputs', outputsTable(action.outputs));
if (!inputs.found) {
  console.log(
    'docs: README.md has no <!-- inputs:start --> / <!-- inputs:end --> markers; inputs table skipped.',
  );
}
if (!outputs.found) {
  console.log(
    'docs: README.md has no <!-- outputs:start --> / <!-- outputs:end --> markers; outputs table skipped.',
  );
}

if (outputs.text === readme) {
  console.log('docs: README.md is up to date with action.yml.');
} else if (check) {
  console.error('docs: README.md is out of date with action.yml; run `npm run docs` and commit the result.');
  process.exit(1);
} else {
  await writeFile(readmePath, outputs.text);
  console.log('docs: README.md regenerated from action.yml.');
}
