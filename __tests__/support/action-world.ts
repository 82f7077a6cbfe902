// The end-to-end tests' world: one emulator per test file, the Cloud Run client to read it back, the
// inputs every release against it needs, baselines seeded in one step, and the built CLI run with the
// credentials a job has. The built action itself runs through scripts/local-runner.ts, as the runner runs it.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServicesClient } from '@google-cloud/run';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/emulator';
import { runClients, wifClient } from '../../emulator/clients';
import type { SeededService } from '../../emulator/seed';
import { DIST, NODE24, type RunningAction } from '../../scripts/local-runner';
import { TAGS_ANNOTATION } from '../../src/core/release-tags';

export const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';

export interface ActionWorld {
  readonly emulator: Emulator;
  readonly services: ServicesClient;
}

/** A traffic target as the end-to-end tests compare it. */
export interface TrafficEntry {
  revision: string;
  percent: number;
  tag?: string;
}

/**
 * Starts one emulator for the test file (beforeAll), switches off after each test the faults it switched
 * on, and stops the emulator (afterAll) after checking that no release met the 409 of a strict template
 * comparison (docs/platform.md "Revisions and failures").
 */
export function useActionWorld(options: EmulatorOptions & { checkConflicts?: boolean } = {}): ActionWorld {
  const { checkConflicts = true, ...emulatorOptions } = options;
  let world: ActionWorld | undefined;
  const started = (): ActionWorld => {
    if (!world) throw new Error('the emulator is not started (beforeAll)');
    return world;
  };
  beforeAll(async () => {
    const emulator = await startEmulator({ startupDeadlineMs: 4000, ...emulatorOptions });
    world = { emulator, services: runClients(emulator.endpoints, wifClient(emulator.endpoints)).services };
  });
  afterEach(() => world?.emulator.faults.reset());
  afterAll(async () => {
    if (checkConflicts) expect(conflicts(world?.emulator)).toEqual([]);
    await world?.services.close();
    await world?.emulator.stop();
    world = undefined;
  });
  return {
    get emulator() {
      return started().emulator;
    },
    get services() {
      return started().services;
    },
  };
}

export interface EarlyWork<T> {
  /** The case's own emulator and Cloud Run client (started in beforeAll). */
  readonly world: ActionWorld;
  /** What `work` resolved with (or its error), for the case's test to assert on. */
  result(): Promise<T>;
}

/**
 * Starts `work` as the file begins (beforeAll), on an emulator of its own, without waiting for it: a case that
 * mostly waits on real time (a deadline, a bounded routing wait, IAM propagation, the smoke defaults) then
 * runs alongside the file's other cases instead of after them. Its test awaits `result()` and asserts as
 * before. The faults `work` switches on are its emulator's alone (faults are global to an emulator), and
 * the file's other cases cannot touch them. afterAll waits for `work`, checks that no release on that
 * emulator met a 409 (as useActionWorld does), and stops it.
 */
export function startEarly<T>(
  work: (w: ActionWorld) => Promise<T>,
  options: EmulatorOptions & { checkConflicts?: boolean } = {},
): EarlyWork<T> {
  const { checkConflicts = true, ...emulatorOptions } = options;
  let world: ActionWorld | undefined;
  let running: Promise<T> | undefined;
  const started = (): ActionWorld => {
    if (!world) throw new Error('the early emulator is not started (beforeAll)');
    return world;
  };
  beforeAll(async () => {
    const emulator = await startEmulator({ startupDeadlineMs: 4000, ...emulatorOptions });
    world = { emulator, services: runClients(emulator.endpoints, wifClient(emulator.endpoints)).services };
    running = work(world);
    running.catch(() => undefined); // The test reports it; no unhandled rejection meanwhile.
  });
  afterAll(async () => {
    await running?.catch(() => undefined);
    if (checkConflicts) expect(conflicts(world?.emulator)).toEqual([]);
    await world?.services.close();
    await world?.emulator.stop();
    world = undefined;
  }, 180_000); // `work` may still be running when the file's tests were filtered out (-t).
  return {
    get world() {
      return started();
    },
    result() {
      if (!running) throw new Error('the early work is not started (beforeAll)');
      return running;
    },
  };
}

/** The 409s "Revision named … with different configuration already exists" the emulator answered. */
export function conflicts(emulator: Emulator | undefined): string[] {
  return (emulator?.api.wire.refusals ?? [])
    .filter((r) => r.status === 'ALREADY_EXISTS' && /different configuration/.test(r.message))
    .map((r) => `${r.request}: ${r.message}`);
}

export function serviceName(e: Emulator, service: string, region = 'us-central1'): string {
  return `projects/${e.endpoints.project}/locations/${region}/services/${service}`;
}

/** The inputs that point a step at the emulator: project, region, service and Workload Identity Federation. */
/** A short smoke test and steps with no bake: the release's whole path in a few seconds. */
export const QUICK_STEPS: Readonly<Record<string, string>> = {
  smoke_duration: '1s',
  smoke_first_event_timeout: '2s',
  smoke_min_events: '3',
  smoke_max_gap: '1s',
  rollout: 'progressive',
  traffic_steps: '50,100',
  step_wait: '0s',
};

export function targetInputs(e: Emulator, service: string): Record<string, string> {
  return {
    project_id: e.endpoints.project,
    region: 'us-central1',
    service,
    workload_identity_provider: e.endpoints.workloadIdentityProvider,
    service_account: e.endpoints.serviceAccount,
  };
}

/** The service's traffic targets, in the service's order, without empty tags. */
export async function trafficOf(
  w: ActionWorld,
  service: string,
  region = 'us-central1',
): Promise<TrafficEntry[]> {
  const [svc] = await w.services.getService({ name: serviceName(w.emulator, service, region) });
  return (svc.traffic ?? []).map((t) => ({
    revision: String(t.revision),
    percent: Number(t.percent),
    ...(t.tag ? { tag: t.tag } : {}),
  }));
}

export interface BaselineOptions {
  /** Default `v1` of the sample app. */
  image?: string;
  /** `allow_unauthenticated: true` (the invoker check off). Default true. */
  public?: boolean;
  /** The release's tag, carried by its revision. Default `pr-12`, a pull request's. */
  tag?: string;
  env?: Record<string, string>;
  /** Default `us-central1`. */
  region?: string;
}

/**
 * A service as a first release of the sse profile leaves it (one revision with all traffic and the PR's
 * tag, the profile's streaming settings, the action's label and tag record), seeded in one step instead of
 * a release. rollout.test.ts holds it to what a real first release leaves.
 */
export function seedReleased(
  e: Emulator,
  service: string,
  options: BaselineOptions = {},
): Promise<SeededService> {
  const tag = options.tag ?? 'pr-12';
  return e.seedService({
    service,
    image: options.image ?? `${IMAGE}:v1`,
    env: options.env ?? { TICK_MS: '100' },
    tags: [tag],
    public: options.public ?? true,
    ...(options.region && { region: options.region }),
    fields: {
      labels: { 'managed-by': 'stream-deploy' },
      annotations: { [TAGS_ANNOTATION]: JSON.stringify([tag]) },
      client: 'stream-deploy',
      scaling: { minInstanceCount: 1 },
      template: {
        labels: { 'managed-by': 'stream-deploy' },
        timeout: '3600s',
        maxInstanceRequestConcurrency: 250,
        sessionAffinity: false,
        containers: [{ resources: { cpuIdle: false, limits: { cpu: '1000m', memory: '512Mi' } } }],
      },
    },
  });
}

/** Polls `probe` every 50 ms until it returns a value; rejects after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once the running step's stdout shows `text`; rejects when the step exits first or `timeoutMs` passes. */
export function waitForOutput(step: RunningAction, text: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`"${text}" never appeared in the log`)), timeoutMs);
    function finish(error?: Error): void {
      clearTimeout(timer);
      step.child.stdout!.off('data', onData);
      step.child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    function onData(chunk: Buffer): void {
      seen += chunk.toString();
      if (seen.includes(text)) finish();
    }
    function onExit(): void {
      finish(new Error(`the step exited before "${text}" appeared:\n${seen}`));
    }
    step.child.stdout!.on('data', onData);
    step.child.on('exit', onExit);
  });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (dist/cli) with the credentials a job has after google-github-actions/auth: an
 * external_account file that federates through the emulator. `env` adds to (or with '' removes from) it.
 */
export function runCli(e: Emulator, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const endpoints = e.endpoints;
  const dir = mkdtempSync(join(tmpdir(), 'creds-'));
  const creds = join(dir, 'credentials.json');
  writeFileSync(
    creds,
    JSON.stringify({
      type: 'external_account',
      audience: endpoints.providerAudience,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: endpoints.sts,
      credential_source: {
        url: `${endpoints.githubOidc.requestUrl}&audience=${encodeURIComponent(`https://iam.googleapis.com/${endpoints.workloadIdentityProvider}`)}`,
        headers: { Authorization: `Bearer ${endpoints.githubOidc.requestToken}` },
        format: { type: 'json', subject_token_field_name: 'value' },
      },
      service_account_impersonation_url: `${endpoints.iamCredentials}/projects/-/serviceAccounts/${endpoints.serviceAccount}:generateAccessToken`,
    }),
  );
  const all: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GOOGLE_APPLICATION_CREDENTIALS: creds,
    STREAM_DEPLOY_ENDPOINTS: JSON.stringify({
      runApi: endpoints.runApi.url,
      sts: endpoints.sts,
      iamCredentials: endpoints.iamCredentials.replace(/\/v1$/, ''),
      monitoring: endpoints.monitoringApi,
      logging: endpoints.loggingApi,
    }),
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === '') delete all[k];
    else all[k] = v;
  }
  return new Promise((resolve) =>
    execFile(
      NODE24,
      [join(DIST, 'cli', 'index.js'), ...args],
      { env: all, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    ),
  );
}
