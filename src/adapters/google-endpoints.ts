// Where Google's token services, the Cloud Run API and the Monitoring and Logging APIs live. Production by default; overridable only
// towards loopback addresses, for the local emulator, so a workflow cannot send tokens anywhere else.
import { StepError } from '../errors';

/** The token endpoints the auth adapter calls. */
export interface GoogleEndpoints {
  /** STS token exchange URL (docs/platform.md "STS exchange"). */
  sts: string;
  /** IAM Credentials base URL without `/v1`: google-auth-library's `Impersonated` appends `/v1/…` (docs/platform.md "google-auth-library"). */
  iamCredentials: string;
}

/** A Cloud Run Admin API endpoint in the client library's terms (docs/platform.md "Local REST transport"). */
export interface RunApiEndpoint {
  apiEndpoint: string;
  port: number;
  protocol: 'http' | 'https';
}

/** Base URLs (without `/v3`, `/v2`) of the optional metric and log gates' APIs. */
export interface ObservabilityEndpoints {
  /** Cloud Monitoring API: `{monitoring}/v3/projects/P/timeSeries`. */
  monitoring: string;
  /** Cloud Logging API: `{logging}/v2/entries:list`. */
  logging: string;
  /** Compute Engine API, for the load balancer in front: `{compute}/compute/v1/projects/P/…`. */
  compute: string;
  /** Cloud Scheduler API, for a job's schedule: `{scheduler}/v1/projects/P/locations/L/jobs`. */
  scheduler: string;
}

export interface ResolvedEndpoints {
  google: GoogleEndpoints;
  /** Absent in production: the client library's default endpoint. */
  runApi?: RunApiEndpoint;
  observability: ObservabilityEndpoints;
}

export const PRODUCTION_ENDPOINTS: Readonly<GoogleEndpoints> = Object.freeze({
  sts: 'https://sts.googleapis.com/v1/token',
  iamCredentials: 'https://iamcredentials.googleapis.com',
});

export const PRODUCTION_OBSERVABILITY: Readonly<ObservabilityEndpoints> = Object.freeze({
  monitoring: 'https://monitoring.googleapis.com',
  logging: 'https://logging.googleapis.com',
  compute: 'https://compute.googleapis.com',
  scheduler: 'https://cloudscheduler.googleapis.com',
});

/** The environment variable holding overrides, as JSON `{"sts":…,"iamCredentials":…,"runApi":…,"monitoring":…,"logging":…,"compute":…,"scheduler":…}`. */
export const ENDPOINTS_VARIABLE = 'STREAM_DEPLOY_ENDPOINTS';

const KNOWN_KEYS = ['sts', 'iamCredentials', 'runApi', 'monitoring', 'logging', 'compute', 'scheduler'];

/** Reads STREAM_DEPLOY_ENDPOINTS: production when unset; loopback http(s) URLs only, anything else is an error. */
export function resolveEndpoints(env: NodeJS.ProcessEnv): ResolvedEndpoints {
  const raw = env[ENDPOINTS_VARIABLE];
  if (raw === undefined || raw.trim() === '')
    return { google: { ...PRODUCTION_ENDPOINTS }, observability: { ...PRODUCTION_OBSERVABILITY } };

  const problems: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw refuse('it is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw refuse('it is not a JSON object');
  const fields = parsed as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !KNOWN_KEYS.includes(key));
  if (unknown.length > 0) problems.push(`unknown key(s) ${unknown.join(', ')}`);

  const url = (key: string, value: unknown): URL | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      problems.push(`${key} is not a URL string`);
      return undefined;
    }
    const problem = loopbackProblem(value);
    if (problem) {
      problems.push(`${key} ${JSON.stringify(value)} ${problem}`);
      return undefined;
    }
    return new URL(value);
  };

  const sts = url('sts', fields.sts);
  const iam = url('iamCredentials', fields.iamCredentials);
  const runApiValue =
    fields.runApi && typeof fields.runApi === 'object'
      ? (fields.runApi as { url?: unknown }).url
      : fields.runApi;
  const runApi = url('runApi', runApiValue);
  const monitoring = url('monitoring', fields.monitoring);
  const logging = url('logging', fields.logging);
  const compute = url('compute', fields.compute);
  const scheduler = url('scheduler', fields.scheduler);
  if (problems.length > 0) throw refuse(problems.join('; '));

  return {
    google: {
      sts: sts ? stripTrailingSlash(sts.href) : PRODUCTION_ENDPOINTS.sts,
      // The emulator prints its IAM Credentials base with `/v1`; Impersonated adds it itself.
      iamCredentials: iam
        ? stripTrailingSlash(iam.href).replace(/\/v1$/, '')
        : PRODUCTION_ENDPOINTS.iamCredentials,
    },
    ...(runApi
      ? {
          runApi: {
            apiEndpoint: runApi.hostname,
            port: runApi.port ? Number(runApi.port) : runApi.protocol === 'https:' ? 443 : 80,
            protocol: runApi.protocol === 'https:' ? 'https' : 'http',
          },
        }
      : {}),
    observability: {
      monitoring: monitoring ? stripTrailingSlash(monitoring.href) : PRODUCTION_OBSERVABILITY.monitoring,
      logging: logging ? stripTrailingSlash(logging.href) : PRODUCTION_OBSERVABILITY.logging,
      compute: compute ? stripTrailingSlash(compute.href) : PRODUCTION_OBSERVABILITY.compute,
      scheduler: scheduler ? stripTrailingSlash(scheduler.href) : PRODUCTION_OBSERVABILITY.scheduler,
    },
  };
}

/** Why `value` is not an acceptable override (undefined when it is): http(s), no credentials, loopback host. */
function loopbackProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'is not an http(s) URL';
  if (url.username || url.password) return 'carries credentials';
  if (!isLoopbackHost(url.hostname)) return 'is not a loopback address (127.0.0.0/8, localhost or [::1])';
  return undefined;
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  // WHATWG URL parsing already normalised IPv4 forms such as 127.1 or 0x7f.1 to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function stripTrailingSlash(href: string): string {
  return href.replace(/\/+$/, '');
}

function refuse(cause: string): StepError {
  return new StepError({
    operation: 'read endpoint overrides from',
    target: ENDPOINTS_VARIABLE,
    cause,
    hint: `Overrides exist only for the local emulator: give http(s) URLs on 127.0.0.1, localhost or [::1] for sts, iamCredentials, runApi, monitoring, logging, compute and scheduler, or unset ${ENDPOINTS_VARIABLE} to use Google.`,
  });
}
