// `npm run live-check -- --project P --region R [...]`: arguments, the two targets (Google through
// Application Default Credentials, or the local emulator through --endpoint) and the report file.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GoogleAuth, type AuthClient } from 'google-auth-library';
import { CloudRunRest, GOOGLE_RUN_BASE } from './cloud-run-rest';
import { GOOGLE_LOGGING_BASE, GOOGLE_MONITORING_BASE, ObservabilityRest } from './observability-rest';
import {
  EMULATOR_TIMING,
  GOOGLE_TIMING,
  Resources,
  cachedIdTokens,
  fetchAnswer,
  sleepFor,
  type LiveContext,
  type Timing,
} from './context';
import { renderReport } from './report';
import { runLiveCheck } from './run-checks';
import type { EmulatorEndpoints } from '../../emulator/emulator';

/** Google's public sample; it listens on $PORT and prints its revision name. */
export const DEFAULT_IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface CliArgs {
  project?: string;
  region?: string;
  image: string;
  servicePrefix: string;
  out?: string;
  /** The emulator's base URL; with it, `emulatorInfo` (the JSON line `npm run emulator` prints). */
  endpoint?: string;
  emulatorInfo?: string;
  checkIamBinding: boolean;
}

const USAGE =
  'Usage: npm run live-check -- --project P --region R [--image IMAGE] [--service-prefix X] [--out FILE] ' +
  '[--check-iam-binding] [--endpoint http://127.0.0.1:PORT --emulator-info FILE]';

/** Parses argv; throws with the usage line on anything unknown or missing. */
export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { image: DEFAULT_IMAGE, servicePrefix: 'sd-live', checkIamBinding: false };
  const valued: Record<string, keyof CliArgs> = {
    '--project': 'project',
    '--region': 'region',
    '--image': 'image',
    '--service-prefix': 'servicePrefix',
    '--out': 'out',
    '--endpoint': 'endpoint',
    '--emulator-info': 'emulatorInfo',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--check-iam-binding') args.checkIamBinding = true;
    else if (valued[flag] && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      (args as unknown as Record<string, string>)[valued[flag]] = argv[++i];
    } else throw new Error(`unknown or incomplete option '${flag}'. ${USAGE}`);
  }
  const problems: string[] = [];
  if (!args.endpoint && !args.project) problems.push('--project is required');
  if (!args.endpoint && !args.region) problems.push('--region is required');
  if (args.endpoint && !args.emulatorInfo)
    problems.push('--endpoint needs --emulator-info FILE (the JSON line `npm run emulator` prints)');
  // Service ids stay under 50 characters and tag + service id within 46 (docs/platform.md "Tag").
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(args.servicePrefix))
    problems.push('--service-prefix: a lowercase letter, then up to 19 lowercase letters, digits or -');
  if (problems.length > 0) throw new Error(`${problems.join('; ')}. ${USAGE}`);
  return args;
}

/** `<prefix>-<6 random characters>`: the run's resources cannot collide with anything else. */
export function runPrefix(servicePrefix: string, random = randomBytes(6)): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `${servicePrefix}-${Array.from(random, (b) => letters[b % letters.length]).join('')}`;
}

interface TargetBase {
  project: string;
  region: string;
  image: string;
  prefix: string;
  checkIamBinding: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

function context(
  base: TargetBase,
  target: LiveContext['target'],
  authClient: Pick<AuthClient, 'request'>,
  apiBase: string,
  observabilityBase: { monitoringBase: string; loggingBase: string },
  mintIdToken: (audience: string) => Promise<string>,
  timing: Timing,
): LiveContext {
  const now = () => Date.now();
  return {
    ...base,
    target,
    timing,
    now,
    sleep: (ms) => sleepFor(ms, base.signal),
    run: new CloudRunRest({
      authClient,
      base: apiBase,
      pollMs: timing.pollMs,
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }),
    observability: new ObservabilityRest({ authClient, ...observabilityBase }),
    get: (url, options) =>
      fetchAnswer(
        url,
        options?.idToken,
        options?.timeoutMs ?? timing.requestMs,
        options?.signal ?? base.signal,
      ),
    idToken: cachedIdTokens(mintIdToken, now),
  };
}

/** Real Cloud Run through Application Default Credentials (a WIF credentials file on GitHub runners). */
export async function googleContext(base: TargetBase): Promise<LiveContext> {
  const auth = new GoogleAuth({ scopes: [SCOPE] });
  const client = await auth.getClient();
  const mint = async (audience: string): Promise<string> => {
    try {
      const idClient = await auth.getIdTokenClient(audience);
      return await idClient.idTokenProvider.fetchIdToken(audience);
    } catch (err) {
      // External account credentials (WIF) have no fetchIdToken: ask IAM Credentials for the service
      // account they impersonate (docs/platform.md "Service account impersonation": direct WIF cannot mint ID tokens).
      const email =
        'getServiceAccountEmail' in client ? (client.getServiceAccountEmail as () => string | null)() : null;
      if (!email)
        throw new Error(
          `cannot mint an ID token with these credentials (${(err as Error).message}); use a service account or WIF through a service account`,
          { cause: err },
        );
      const res = await client.request<{ token: string }>({
        url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${email}:generateIdToken`,
        method: 'POST',
        data: { audience, includeEmail: true },
      });
      return res.data.token;
    }
  };
  const observability = { monitoringBase: GOOGLE_MONITORING_BASE, loggingBase: GOOGLE_LOGGING_BASE };
  return context(base, 'google', client, GOOGLE_RUN_BASE, observability, mint, GOOGLE_TIMING);
}

/** The local emulator: its WIF chain for the API and its IAM Credentials fake for ID tokens. */
export async function emulatorContext(
  base: TargetBase,
  endpoint: string,
  endpoints: EmulatorEndpoints,
): Promise<LiveContext> {
  const { idToken, wifClient } = await import('../../emulator/clients');
  return context(
    base,
    'emulator',
    wifClient(endpoints),
    `${endpoint.replace(/\/+$/, '')}/v2/`,
    // Older emulator info files name no observability URLs: the fakes share the API's server.
    {
      monitoringBase: endpoints.monitoringApi ?? endpoint,
      loggingBase: endpoints.loggingApi ?? endpoint,
    },
    (audience) => idToken(endpoints, audience),
    EMULATOR_TIMING,
  );
}

export interface CliIo {
  log: (line: string) => void;
  /** Aborted on SIGINT: the checks stop and clean-up runs. */
  signal: AbortSignal;
}

/** Runs the live check and writes the report; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.log(`live-check: ${(err as Error).message}`);
    return 2;
  }
  const prefix = runPrefix(args.servicePrefix);
  let ctx: LiveContext;
  if (args.endpoint) {
    const endpoints = JSON.parse(await readFile(args.emulatorInfo!, 'utf8')) as EmulatorEndpoints;
    ctx = await emulatorContext(
      {
        project: args.project ?? endpoints.project,
        region: args.region ?? 'us-central1',
        image: args.image,
        prefix,
        checkIamBinding: args.checkIamBinding,
        signal: io.signal,
        log: io.log,
      },
      args.endpoint,
      endpoints,
    );
  } else {
    ctx = await googleContext({
      project: args.project!,
      region: args.region!,
      image: args.image,
      prefix,
      checkIamBinding: args.checkIamBinding,
      signal: io.signal,
      log: io.log,
    });
  }
  io.log(`live-check: ${ctx.target}, region ${ctx.region}, image ${ctx.image}, resources named ${prefix}-*`);
  const startedAt = new Date();
  const result = await runLiveCheck(ctx, new Resources());
  const report = renderReport(
    {
      target: ctx.target === 'google' ? 'Google Cloud Run' : 'Emulator run, not Google',
      emulator: ctx.target === 'emulator',
      region: ctx.region,
      image: ctx.image,
      startedAt,
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      leftovers: result.leftovers,
    },
    result.rows,
  );
  io.log(report);
  if (args.out) {
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, report);
    io.log(`live-check: wrote ${args.out}`);
  }
  if (io.signal.aborted) return 130;
  const failed = result.rows.filter((r) => r.agrees === 'n/a' && !r.observed.startsWith('not run'));
  return result.leftovers.length > 0 || failed.length > 0 ? 1 : 0;
}
