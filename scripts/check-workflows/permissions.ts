// The permission rule GitHub applies when a run starts and neither the language service nor actionlint
// checks (docs/platform.md "Reusable workflow permissions"): every job that calls the reusable workflow or
// uses the action must be granted what the called jobs and the action's channels need.
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import { load } from 'js-yaml';
import {
  ACTION_REPOSITORY,
  type CheckContext,
  isRecord,
  type Problem,
  resolveWorkflow,
  type Source,
} from './context';

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
