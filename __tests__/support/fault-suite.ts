// The fault matrix's harness (issue 7): every case runs the BUILT action the way the runner does, against
// the emulator with a fault switched on, then checks the invariants every case shares:
//   1. the service's traffic is exactly the baseline or exactly the planned final state (never between),
//   2. the report (job summary and log) says which of the two it is,
//   3. no token the emulator issued (GitHub OIDC, STS, IAM access and ID tokens, the GitHub token) appears
//      in the log, the outputs, the job summary, the PR comment, the deployment or the commit statuses.
// Each case also records one row for bench/FAULTS.md (rendered by scripts/faults-table.mjs after the run),
// from what was observed, so the table cannot drift from the suite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/emulator';
import { mintedTokens } from '../../emulator/auth/minted-tokens';
import { ROOT, runAction, type ActionRun, type RunOptions } from '../../scripts/local-runner';
import { OUTCOME_TEXT } from '../../src/core/report';
import {
  IMAGE,
  seedReleased,
  serviceName,
  useActionWorld,
  type ActionWorld,
  type BaselineOptions,
} from './action-world';

export { conflicts, IMAGE, serviceName } from './action-world';
export const SHA = '0123456789abcdef0123456789abcdef01234567';

/** A traffic entry as the cases compare it: revision (or LATEST), percent, tag. */
export type Entry = [string, number, string];
export type Outcome = 'baseline' | 'planned' | 'between';

export interface FaultRow {
  group: string;
  title: string;
  /** What was switched on, in words. */
  fault: string;
  /** What the case requires of the traffic afterwards. */
  expected: Outcome;
  /** What the traffic was afterwards. */
  observed: Outcome;
  /** The action's `verdict` output ('' when none was written), and its exit code. */
  verdict: string;
  exit: string;
  /** What the failure message was checked to say (empty for a success). */
  says: string;
  /** Whether the job summary / log named the traffic state correctly. */
  reported: boolean;
  /** Tokens found in any log, output, summary or GitHub text. */
  leaks: number;
  /** Cloud Run API calls the run made, when the case counts them. */
  apiCalls?: number;
}

export type FaultWorld = ActionWorld;

const rows: FaultRow[] = [];
let runs = 1000;

/** A fresh numeric GITHUB_RUN_ID (revision suffixes are derived from it). */
export function nextRunId(): string {
  return String(runs++);
}

/**
 * Starts one emulator for the file (useActionWorld: it resets the faults after each case and checks that no
 * release met a 409, as Google compares revision templates strictly, docs/platform.md "Revisions and
 * failures"), gives the GitHub token its full permissions back after each case, and writes the file's rows
 * at the end.
 */
export function useFaultWorld(suite: string): FaultWorld {
  const world = useActionWorld();
  afterEach(() => {
    world.emulator.github.setPermissions({
      issues: 'write',
      pull_requests: 'write',
      deployments: 'write',
      statuses: 'write',
      contents: 'read',
    });
  });
  afterAll(() => {
    const dir = join(ROOT, 'bench/faults');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${suite}.json`), JSON.stringify({ suite, rows }, null, 2) + '\n');
  });
  return world;
}

/** Inputs of a progressive release that works against the emulator: public, fast ticks, 1 s smoke, no bake. */
export function releaseInputs(
  e: Emulator,
  service: string,
  image: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    project_id: e.endpoints.project,
    region: 'us-central1',
    service,
    image: `${IMAGE}:${image}`,
    workload_identity_provider: e.endpoints.workloadIdentityProvider,
    service_account: e.endpoints.serviceAccount,
    allow_unauthenticated: 'true',
    env_vars: 'TICK_MS=100',
    smoke_duration: '1s',
    smoke_first_event_timeout: '2s',
    smoke_min_events: '3',
    smoke_max_gap: '1s',
    rollout: 'progressive',
    traffic_steps: '10,50,100',
    step_wait: '0s',
    deploy_timeout: '60s',
    ...extra,
  };
}

/** The service's traffic as comparable entries, sorted. */
export async function trafficOf(w: FaultWorld, service: string): Promise<Entry[]> {
  const [svc] = await w.services.getService({ name: serviceName(w.emulator, service) });
  return normalize(
    (svc.traffic ?? []).map((t) => ({
      revision: t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : String(t.revision ?? ''),
      percent: Number(t.percent ?? 0),
      tag: t.tag ?? '',
    })),
  );
}

function normalize(list: Array<{ revision: string; percent: number; tag: string }>): Entry[] {
  return list
    .map((t): Entry => [t.revision, t.percent, t.tag])
    .sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

/**
 * v1 as the service's only revision, as a first release of `releaseInputs` leaves it (all traffic, the PR's
 * tag), seeded in one step (action-world.ts seedReleased); returns its traffic. Seed before any fault.
 */
export async function seedBaseline(
  w: FaultWorld,
  service: string,
  options: BaselineOptions = {},
): Promise<Entry[]> {
  await seedReleased(w.emulator, service, options);
  return trafficOf(w, service);
}

/**
 * Deploys v1 by a whole release of the action, for the cases whose baseline must carry its reports too.
 * `extra` adds to its inputs (e.g. one traffic step, when only the release's end state and reports matter).
 */
export async function releaseBaseline(
  w: FaultWorld,
  service: string,
  extra: Record<string, string> = {},
): Promise<Entry[]> {
  const first = await runAction(
    'main',
    releaseInputs(w.emulator, service, 'v1', extra),
    w.emulator.endpoints,
    { env: { GITHUB_RUN_ID: nextRunId() } },
  );
  if (first.code !== 0) throw new Error(`seeding ${service} failed:\n${first.stdout}\n${first.stderr}`);
  return trafficOf(w, service);
}

/** A promoted release's traffic: the candidate takes 100 % and carries the tag. */
export function promoted(candidate: string, tag = 'pr-12'): Entry[] {
  return [[candidate, 100, tag]];
}

/** Every Cloud Run API call the emulator has counted so far. */
export function apiCallCount(e: Emulator): number {
  return Object.values(e.api.wire.calls).reduce((a, b) => a + (b ?? 0), 0);
}

/** Runs the main step with the runner's defaults for these cases (a pull request, a fresh run id). */
export function runMain(
  w: FaultWorld,
  inputs: Record<string, string>,
  options: RunOptions = {},
): Promise<ActionRun> {
  return runAction('main', inputs, w.emulator.endpoints, {
    ...options,
    env: { GITHUB_RUN_ID: nextRunId(), ...(options.env ?? {}) },
  });
}

export interface CaseCheck {
  group: string;
  title: string;
  fault: string;
  service: string;
  /** Traffic before the run, and the plan's final state; `expected` says which one the run must end at. */
  before: Entry[];
  planned?: Entry[];
  expected: Outcome;
  /** Expected `verdict` output ('' for none) and exit code. */
  verdict: string;
  exit: number;
  /** What the failure annotation must say, and how the table describes it. */
  says?: { pattern: RegExp; label: string };
  /** The state the report must name, when not `expected` (traffic another client set reads as neither). */
  reportSays?: keyof typeof OUTCOME_TEXT;
  /** Whether the step wrote a report (not for input errors, which stop before any). Default true. */
  reports?: boolean;
  apiCalls?: number;
  /** Extra texts people see (e.g. a post step's log) to check for tokens. */
  alsoVisible?: string[];
}

/** Checks the shared invariants of one finished case and records its row (before asserting, so a failing case shows what it saw). */
export async function checkCase(w: FaultWorld, run: ActionRun, c: CaseCheck): Promise<FaultRow> {
  const after = await trafficOf(w, c.service);
  const key = (t: Entry[] | undefined) => JSON.stringify(t);
  const observed: Outcome =
    key(after) === key(c.before) ? 'baseline' : key(after) === key(c.planned) ? 'planned' : 'between';
  const error = run.annotations.filter((a) => a.startsWith('::error')).join('\n');
  const said = c.says ? c.says.pattern.test(error) : error === '';
  const reportWords = OUTCOME_TEXT[c.reportSays ?? observed];
  const reports = c.reports ?? true;
  const reported = reports
    ? run.summary.includes(reportWords) && run.stdout.includes(`Traffic ends ${reportWords}.`)
    : run.summary === '';
  const visible = visibleTexts(w, run, c.alsoVisible ?? []);
  const leaks = countLeaks(w, visible);
  const row: FaultRow = {
    group: c.group,
    title: c.title,
    fault: c.fault,
    expected: c.expected,
    observed,
    verdict: run.outputs.verdict ?? '',
    exit: String(run.code),
    says: said ? (c.says?.label ?? '') : `NOT AS EXPECTED: ${firstLine(error)}`,
    reported,
    leaks,
    ...(c.apiCalls !== undefined ? { apiCalls: c.apiCalls } : {}),
  };
  rows.push(row);
  const want = {
    traffic: c.expected === 'baseline' ? c.before : c.planned,
    code: c.exit,
    verdict: c.verdict,
  };
  const got = { traffic: after, code: run.code, verdict: row.verdict };
  // On a mismatch the diff also shows what the run said, so a failure in CI explains itself.
  const mismatch = JSON.stringify(got) !== JSON.stringify(want);
  expect({ ...got, ...(mismatch && { said: `${error}\n${warnings(run)}`.slice(0, 3000) }) }).toEqual(want);
  if (c.says) expect(error).toMatch(c.says.pattern);
  else expect(error).toBe('');
  expect(reported).toBe(true);
  expect(leaks).toBe(0);
  return row;
}

/** Records a row for a case checked by its own assertions (e.g. a cancelled job and its post step). */
export function recordRow(row: FaultRow): void {
  rows.push(row);
}

/** Everything people can read after the run: log (minus the runner's mask commands), outputs, summary, GitHub texts. */
export function visibleTexts(w: FaultWorld, run: ActionRun, extra: string[] = []): string {
  const log = (run.stdout + '\n' + run.stderr)
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  const gh = w.emulator.github;
  const github = [
    ...gh.comments(12).map((c) => c.body),
    ...gh.commitComments(SHA).map((c) => c.body),
    ...gh.deployments().flatMap((d) => d.statuses.map((s) => JSON.stringify(s))),
    ...gh.commitStatuses(SHA).map((s) => JSON.stringify(s)),
  ];
  return [log, JSON.stringify(run.outputs), run.summary, ...github, ...extra].join('\n');
}

/** How many issued tokens (or token-shaped strings) appear in `text`. */
export function countLeaks(w: FaultWorld, text: string): number {
  const secrets = [
    ...mintedTokens(),
    w.emulator.endpoints.githubToken,
    w.emulator.endpoints.githubOidc.requestToken,
  ].filter((s) => s.length >= 16);
  let leaks = secrets.filter((s) => text.includes(s)).length;
  // Shapes too, in case a token was minted outside the emulator's view: Google access tokens and JWTs.
  leaks += (text.match(/ya29\.[A-Za-z0-9_.-]{20,}|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/g) ?? [])
    .length;
  return leaks;
}

function warnings(run: ActionRun): string {
  return run.annotations.filter((a) => a.startsWith('::warning')).join('\n');
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/^::error[^:]*::/, '').slice(0, 120);
}
