// Snippets in markdown: the ```yaml fences of the docs, each wrapped into a workflow GitHub's parser accepts
// (or skipped by a marker when it is no workflow at all).
import { load } from 'js-yaml';
import { ACTION_REPOSITORY, isRecord, type Problem, type Source } from './context';

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

/** A ```yaml fence: its first content line, its text, and whether it carries the skip marker. */
export interface Fence {
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
