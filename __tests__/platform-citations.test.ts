import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Code, tests and docs cite platform facts as `docs/platform.md "Heading"` (STYLE.md): every such citation
// must name a heading or a table row's first cell in docs/platform.md, or the fact it leans on is lost.
const root = fileURLToPath(new URL('..', import.meta.url));
const platform = readFileSync(join(root, 'docs/platform.md'), 'utf8');

/** Headings (any level) and the first cell of table rows: the names a citation can use. */
function citableNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (heading) names.add(heading[1]);
    const row = /^\|\s*([^|]+?)\s*\|/.exec(line);
    if (row && !/^-+$/.test(row[1])) names.add(row[1].replace(/`/g, ''));
  }
  return names;
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (['node_modules', 'dist', '.git'].includes(name)) return [];
    if (statSync(join(root, path)).isDirectory()) return filesUnder(path);
    return /\.(ts|mjs|md|yml|yaml)$/.test(name) ? [path] : [];
  });
}

const sources = [
  ...['src', 'emulator', '__tests__', 'scripts', 'docs', 'workflows', 'bench', '.github'].flatMap(filesUnder),
  'README.md',
  'CONTRIBUTING.md',
  'action.yml',
].filter((file) => !file.endsWith('platform-citations.test.ts'));

const CITATION = /platform\.md[,:]?\s+"([^"]+)"/g;
/** A citation wrapped over comment lines or split into concatenated strings, as one line. */
const unwrap = (cited: string) =>
  cited
    .replace(/'\s*\+\s*'/g, '')
    .replace(/\s*\n\s*(\/\/|#|\*)?\s*/g, ' ')
    .trim();
/** How the docs themselves describe the citation form. */
const PLACEHOLDER = 'Heading';

test('docs/platform.md has the names the citations need', () => {
  expect(citableNames('## A\n| Fact | x |\n| --- | --- |\n| `B c` | d |\n')).toEqual(
    new Set(['A', 'Fact', 'B c']),
  );
});

test('every docs/platform.md "…" citation names a heading or fact row of docs/platform.md', () => {
  const names = citableNames(platform);
  const dangling: string[] = [];
  let count = 0;
  for (const file of sources) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(CITATION)) {
      const cited = unwrap(match[1]);
      if (cited === PLACEHOLDER) continue;
      count++;
      if (!names.has(cited)) dangling.push(`${relative(root, join(root, file))}: "${cited}"`);
    }
  }
  expect(count).toBeGreaterThan(50);
  expect(dangling).toEqual([]);
});

// The facts live in the repository: nothing may point at the team's shared list outside it (../shared/…).
const OUTSIDE_LIST = /\bFACTS\b/;

test('no file of the repository cites the shared facts list outside it', () => {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file && !/^(node_modules|dist|\.git)\//.test(file) && existsSync(join(root, file)));
  expect(listed.length).toBeGreaterThan(50);
  const offending = listed.flatMap((file) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (OUTSIDE_LIST.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(offending).toEqual([]);
});
