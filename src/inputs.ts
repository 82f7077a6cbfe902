// The action's inputs: reads every `with:` value once, validates it against Cloud Run's rules and returns
// one frozen DeployConfig, or throws one InputError listing every problem. Pure: the reader and the run
// context come in as arguments, so nothing here touches the environment or the network.
import {
  PROFILE_DEFAULTS,
  PROFILE_SMOKE,
  PROVENANCE_LABEL_KEYS,
  type DeployConfig,
  type ExecutionEnvironment,
  type Ingress,
  type LintLevel,
  type MinInstancesLevel,
  type Mode,
  type Profile,
  type PublicAccessMethod,
  type RunContext,
  type SecretRef,
  type StreamingSettings,
  type UpdateStrategy,
} from './core/config';
import { previewTag, TAG_AND_SERVICE_MAX, TAG_PATTERN } from './core/tag-rules';
import { findPathHazard } from './core/smoke-args';
import type { SmokeCriteria } from './core/smoke-types';
import { InputError, type InputProblem } from './errors';

/** Every input the action reads, in action.yml order; action.yml declares exactly these (__tests__/action.test.ts). */
export const INPUT_NAMES = [
  'project_id',
  'region',
  'service',
  'image',
  'mode',
  'workload_identity_provider',
  'service_account',
  'profile',
  'timeout',
  'concurrency',
  'cpu_always_allocated',
  'min_instances',
  'min_instances_level',
  'max_instances',
  'session_affinity',
  'use_http2',
  'cpu',
  'memory',
  'execution_environment',
  'startup_cpu_boost',
  'port',
  'env_vars',
  'env_vars_update_strategy',
  'secrets',
  'secrets_update_strategy',
  'labels',
  'runtime_service_account',
  'ingress',
  'allow_unauthenticated',
  'public_access_method',
  'tag',
  'revision_suffix',
  'suffix',
  'lint_level',
  'deploy_timeout',
  'smoke_protocol',
  'smoke_path',
  'health_path',
  'health_timeout',
  'smoke_duration',
  'smoke_first_event_timeout',
  'smoke_min_events',
  'smoke_max_gap',
  'smoke_connections',
  'smoke_send',
  'smoke_expect',
  'smoke_url',
  'smoke_reconnect',
  'smoke_accept_encoding',
  'keep_failed_candidate',
  'rollout',
  'traffic_steps',
  'step_wait',
  'follow_latest',
  'keep_release_tags',
  'candidate_creates_service',
  'github_token',
  'comment_on_pr',
  'comment_on_commit',
  'job_summary',
  'github_deployment',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

const MODES: readonly Mode[] = ['release', 'cleanup'];
const PROFILES: readonly Profile[] = ['sse', 'websocket', 'grpc', 'http', 'none'];
const UPDATE_STRATEGIES: readonly UpdateStrategy[] = ['merge', 'overwrite'];
const EXECUTION_ENVIRONMENTS: readonly ExecutionEnvironment[] = ['gen1', 'gen2'];
const INGRESSES: readonly Ingress[] = ['all', 'internal', 'internal-and-cloud-load-balancing', 'none'];
const LINT_LEVELS: readonly LintLevel[] = ['warn', 'strict'];
const PUBLIC_ACCESS_METHODS: readonly PublicAccessMethod[] = ['invoker-check', 'iam-binding'];
const MIN_INSTANCES_LEVELS: readonly MinInstancesLevel[] = ['service', 'revision'];

// Problems and warnings in action.yml input order (stable within one input), so the report reads top to bottom.
function inInputOrder(list: readonly InputProblem[]): InputProblem[] {
  const rank = (p: InputProblem) => INPUT_NAMES.indexOf(p.input as InputName);
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

/** Collects problems, each reading "what is wrong; expected …", and warnings about accepted inputs. */
class Problems {
  readonly list: InputProblem[] = [];
  readonly warnings: InputProblem[] = [];

  add(input: InputName, wrong: string, expected: string): void {
    this.list.push({ input, message: `${wrong}; expected ${expected}` });
  }

  warn(input: InputName, message: string): void {
    this.warnings.push({ input, message });
  }

  sorted(): InputProblem[] {
    return inInputOrder(this.list);
  }

  /** Each warning as `` `input_name`: … ``. */
  warningLines(): string[] {
    return inInputOrder(this.warnings).map((w) => `\`${w.input}\`: ${w.message}`);
  }
}

// Quotes a user's value for a message, shortened so a pasted blob cannot flood the log.
function show(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function listOf(values: readonly string[]): string {
  return values.map((v) => `\`${v}\``).join(', ');
}

// ---------------------------------------------------------------------------------------------------------
// Target

const SERVICE_EXPECTED =
  'a Cloud Run service id such as `api`: lowercase letters, digits and hyphens, starting with a letter, ' +
  'not ending with a hyphen, fewer than 50 characters';
// FACTS.md "service id": starts with a letter, letters/digits/`-`, under 50 characters; service.proto adds that
// it cannot end with a hyphen. Cloud Run resource ids are lowercase.
const SERVICE_ID = /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/;

// Project ids: 6 to 30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen;
// legacy domain-scoped projects are written `example.com:my-project`.
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PROJECT_EXPECTED =
  'a Google Cloud project id such as `my-project` (6 to 30 lowercase letters, digits, hyphens)';

// Region names: `us-central1`, `europe-west4`, `northamerica-northeast1`.
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

const IMAGE_EXAMPLE = '`us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG` or `…/IMAGE@sha256:<64 hex>`';
// The distribution reference grammar: lowercase path components joined by `.`, `_`, `__` or dashes.
const IMAGE_PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const IMAGE_HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

// The registries Cloud Run pulls from directly: Artifact Registry, Container Registry and Docker Hub. Any other
// registry needs an Artifact Registry remote repository in front of it (cloud.google.com/run/docs/deploying,
// "Supported container registries and images"; the API's own 400 "Expected an image path like [host/]repo-path
// …, where host is one of [region.]gcr.io, [region-]docker.pkg.dev or docker.io"). Newer revisions of that page
// also list public GitHub Container Registry images, so `ghcr.io` is let through (docs/platform.md "Limits
// on inputs", "Images Cloud Run can deploy").
const SUPPORTED_REGISTRIES =
  'Artifact Registry (`REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`), Container Registry (`gcr.io`, `*.gcr.io`) or Docker Hub (`docker.io/…`)';
const DIRECT_REGISTRY =
  /^(?:[a-z0-9-]+-docker\.pkg\.dev|docker\.pkg\.dev|gcr\.io|[a-z0-9-]+\.gcr\.io|docker\.io|index\.docker\.io|registry-1\.docker\.io)$/;
const REMOTE_REPOSITORY_DOC = 'https://cloud.google.com/artifact-registry/docs/repositories/remote-repo';

// A registry host Google's servers can never reach: loopback or a bare IP address, `localhost`, or a host
// with its own port (a private registry); undefined when the host may be reachable.
function findUnreachableRegistry(host: string): string | undefined {
  const name = host.replace(/:[0-9]+$/, '').toLowerCase();
  if (DIRECT_REGISTRY.test(name) && name === host.toLowerCase()) return undefined;
  if (name === 'localhost' || name.endsWith('.localhost')) return `\`${host}\` is this machine`;
  if (/^[0-9]+(?:\.[0-9]+){3}$/.test(name)) return `\`${host}\` is an IP address`;
  if (host.includes(':')) return `\`${host}\` is a private registry with its own port`;
  return undefined;
}

// What is wrong with an image reference `HOST/PATH[:TAG][@sha256:DIGEST]`, or undefined when it is sound.
function findImageMistake(ref: string): string | undefined {
  if (/\s/.test(ref)) return `${show(ref)} contains whitespace`;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(ref);
  if (scheme) return `${show(ref)} starts with \`${scheme[0]}\`, but image references have no URL scheme`;

  let rest = ref;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const digest = rest.slice(at + 1);
    if (!IMAGE_DIGEST.test(digest))
      return `${show(ref)} has a malformed digest ${show(digest)} (a digest is \`sha256:\` and 64 lowercase hex characters)`;
    rest = rest.slice(0, at);
  }
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    const tag = rest.slice(lastColon + 1);
    if (!IMAGE_TAG.test(tag))
      return `${show(ref)} has an invalid tag ${show(tag)} (letters, digits, \`_\`, \`.\`, \`-\`, not starting with \`.\` or \`-\`, at most 128 characters)`;
    rest = rest.slice(0, lastColon);
  }

  const parts = rest.split('/');
  const host = parts[0];
  const hasHost = parts.length > 1 && (host.includes('.') || host.includes(':') || host === 'localhost');
  if (!hasHost)
    return `${show(ref)} has no registry host (Cloud Run would look for it on Docker Hub; write \`docker.io/…\` if that is meant)`;
  if (!IMAGE_HOST.test(host)) return `${show(ref)} has an invalid registry host ${show(host)}`;
  const unreachable = findUnreachableRegistry(host);
  if (unreachable)
    return `${show(ref)} cannot be pulled by Cloud Run: ${unreachable}; Cloud Run pulls only from ${SUPPORTED_REGISTRIES}, or from other registries through an Artifact Registry remote repository (${REMOTE_REPOSITORY_DOC})`;
  const path = parts.slice(1);
  for (const component of path) {
    if (component === '') return `${show(ref)} has an empty path component`;
    if (!IMAGE_PATH_COMPONENT.test(component)) {
      if (IMAGE_PATH_COMPONENT.test(component.toLowerCase()))
        return `${show(ref)} has uppercase letters in its repository path (${show(component)}); registry paths are lowercase`;
      return `${show(ref)} has an invalid path component ${show(component)} (lowercase letters and digits, joined by \`.\`, \`_\` or \`-\`)`;
    }
  }
  if (/-docker\.pkg\.dev$/.test(host) && path.length < 3)
    return `${show(ref)} is too short for Artifact Registry, whose images are \`HOST/PROJECT/REPOSITORY/IMAGE\``;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Auth

const WIF_PREFIXES = ['//iam.googleapis.com/', 'https://iam.googleapis.com/'];
const WIF_SHAPE =
  /^projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;
const WIF_EXPECTED =
  '`projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER` ' +
  '(`gcloud iam workload-identity-pools providers describe PROVIDER --location=global --workload-identity-pool=POOL --format="value(name)"` prints it)';
// Pool and provider ids: 4 to 32 lowercase letters, digits and hyphens.
const WIF_ID = /^[a-z0-9-]{4,32}$/;

// The provider's resource name without the `//iam.googleapis.com/` prefix users often copy (FACTS.md WIF 2-3).
function parseProvider(text: string, problems: Problems): string | undefined {
  const prefix = WIF_PREFIXES.find((p) => text.startsWith(p));
  const name = prefix ? text.slice(prefix.length) : text;
  const match = WIF_SHAPE.exec(name);
  const input = 'workload_identity_provider';
  if (!match) {
    problems.add(input, `${show(text)} is not a workload identity provider name`, WIF_EXPECTED);
    return undefined;
  }
  const [, project, location, pool, provider] = match;
  let ok = true;
  if (!/^[0-9]+$/.test(project)) {
    problems.add(
      input,
      `names project ${show(project)}, but provider names use the project NUMBER, not its id`,
      `\`projects/123456789012/…\` (\`gcloud projects describe ${project} --format="value(projectNumber)"\` prints it)`,
    );
    ok = false;
  }
  if (location !== 'global') {
    problems.add(
      input,
      `has location ${show(location)}; workload identity pools live in \`global\``,
      WIF_EXPECTED,
    );
    ok = false;
  }
  for (const [what, id] of [
    ['pool', pool],
    ['provider', provider],
  ] as const) {
    if (!WIF_ID.test(id)) {
      problems.add(
        input,
        `has an invalid ${what} id ${show(id)}`,
        `4 to 32 lowercase letters, digits and hyphens`,
      );
      ok = false;
    }
  }
  return ok ? name : undefined;
}

// Service account emails: `NAME@PROJECT.iam.gserviceaccount.com`, and Google's other forms such as
// `PROJECT_NUMBER-compute@developer.gserviceaccount.com` or `PROJECT@appspot.gserviceaccount.com`.
const SERVICE_ACCOUNT = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/i;
const SERVICE_ACCOUNT_EXPECTED =
  'a service account email such as `deployer@my-project.iam.gserviceaccount.com`';

function parseServiceAccount(input: InputName, text: string, problems: Problems): string | undefined {
  if (SERVICE_ACCOUNT.test(text)) return text;
  if (text.startsWith('serviceAccount:'))
    problems.add(
      input,
      `${show(text)} has the IAM member prefix \`serviceAccount:\``,
      SERVICE_ACCOUNT_EXPECTED.replace('a service account email', 'the email alone'),
    );
  else if (!text.includes('@'))
    problems.add(input, `${show(text)} is not an email address`, SERVICE_ACCOUNT_EXPECTED);
  else problems.add(input, `${show(text)} is not a service account email`, SERVICE_ACCOUNT_EXPECTED);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Scalars

function parseEnum<T extends string>(
  input: InputName,
  text: string,
  allowed: readonly T[],
  problems: Problems,
) {
  const value = text.toLowerCase() as T;
  if (allowed.includes(value)) return value;
  problems.add(input, `${show(text)} is not a known value`, `one of ${listOf(allowed)}`);
  return undefined;
}

// Booleans are `true` or `false` only: `yes`, `on` or `1` are refused rather than guessed.
function parseBoolean(input: InputName, text: string, problems: Problems): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  problems.add(input, `${show(text)} is not a boolean`, '`true` or `false`');
  return undefined;
}

function parseInteger(input: InputName, text: string, min: number, max: number, problems: Problems) {
  const range =
    max === Infinity ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    problems.add(input, `${show(text)} is not a whole number`, range);
    return undefined;
  }
  if (value < min || value > max) {
    problems.add(input, `${value} is out of range`, range);
    return undefined;
  }
  return value;
}

const DURATION = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/;

// Seconds as a bare number (`3600`) or a Duration (`3600s`, `60m`, `1h`, `1h30m`).
function parseSeconds(input: InputName, text: string, min: number, max: number, problems: Problems) {
  const expected = `${min} to ${max} seconds, as a number (\`${max}\`) or a duration (\`${max}s\`, \`${max / 60}m\`${max % 3600 === 0 ? `, \`${max / 3600}h\`` : ''})`;
  let seconds: number | undefined;
  if (/^[0-9]+$/.test(text)) seconds = Number(text);
  else {
    const match = text === '' ? null : DURATION.exec(text);
    if (match) seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  }
  if (seconds === undefined || !Number.isSafeInteger(seconds)) {
    problems.add(input, `${show(text)} is not a duration`, expected);
    return undefined;
  }
  if (seconds < min || seconds > max) {
    problems.add(input, `${show(text)} is ${seconds} s, out of range`, expected);
    return undefined;
  }
  return seconds;
}

// CPU and memory values and combinations: cloud.google.com/run/docs/configuring/services/cpu and
// cloud.google.com/run/docs/configuring/services/memory-limits (checked 2025).
const WHOLE_CPUS = [1, 2, 4, 6, 8];
const CPU_EXPECTED =
  '`1`, `2`, `4`, `6` or `8`, or a fraction from 0.08 to 1 in steps of 0.001 written as a decimal (`0.5`) or millicores (`500m`)';

interface Cpu {
  text: string;
  value: number;
}

function parseCpu(text: string, problems: Problems): Cpu | undefined {
  const millicores = /^([0-9]+)m$/.exec(text);
  const decimal = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  let value: number;
  if (millicores) value = Number(millicores[1]) / 1000;
  else if (decimal) {
    if ((decimal[2] ?? '').length > 3) {
      problems.add('cpu', `${show(text)} is finer than Cloud Run's 0.001 CPU steps`, CPU_EXPECTED);
      return undefined;
    }
    value = Number(text);
  } else {
    problems.add('cpu', `${show(text)} is not a CPU amount`, CPU_EXPECTED);
    return undefined;
  }
  if (value < 0.08 || value > 8) {
    problems.add('cpu', `${show(text)} is out of range`, CPU_EXPECTED);
    return undefined;
  }
  if (value > 1 && !WHOLE_CPUS.includes(value)) {
    problems.add(
      'cpu',
      `${show(text)} is not a CPU count Cloud Run offers (above 1 CPU only whole 2, 4, 6 or 8)`,
      CPU_EXPECTED,
    );
    return undefined;
  }
  return { text, value };
}

const MEMORY_EXPECTED = 'a size in binary units from `128Mi` to `32Gi`, such as `512Mi` or `2Gi`';

// Memory in MiB from `<n>Mi` or `<n>Gi`.
function parseMemory(text: string, problems: Problems): number | undefined {
  const match = /^([0-9]+)(Mi|Gi)$/.exec(text);
  if (!match) {
    const decimalUnits = /^[0-9]+(?:\.[0-9]+)?\s*([MG]B?|[mg]i?b?)$/.test(text);
    problems.add(
      'memory',
      decimalUnits
        ? `${show(text)} uses a unit Cloud Run does not take here`
        : `${show(text)} is not a memory size`,
      MEMORY_EXPECTED,
    );
    return undefined;
  }
  const mib = Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
  if (mib < 128 || mib > 32 * 1024) {
    problems.add('memory', `${show(text)} is out of range`, MEMORY_EXPECTED);
    return undefined;
  }
  return mib;
}

function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

// The least CPU a memory limit needs (memory-limits page: more than 4, 8, 16, 24 GiB need 2, 4, 6, 8 CPU;
// cpu page: under 1 CPU, more than 512 MiB needs 0.5 and more than 1 GiB needs 1).
function minimumCpuFor(mib: number): number {
  if (mib > 24 * 1024) return 8;
  if (mib > 16 * 1024) return 6;
  if (mib > 8 * 1024) return 4;
  if (mib > 4 * 1024) return 2;
  if (mib > 1024) return 1;
  if (mib > 512) return 0.5;
  return 0.08;
}

// The most memory a CPU count allows: the inverse of minimumCpuFor.
function maximumMemoryFor(cpu: number): number {
  if (cpu >= 8) return 32 * 1024;
  if (cpu >= 6) return 24 * 1024;
  if (cpu >= 4) return 16 * 1024;
  if (cpu >= 2) return 8 * 1024;
  if (cpu >= 1) return 4 * 1024;
  if (cpu >= 0.5) return 1024;
  return 512;
}

// The least memory a CPU count needs (cpu page: 4 CPU need 2 GiB, 6 and 8 CPU need 4 GiB).
function minimumMemoryFor(cpu: number): number {
  if (cpu >= 6) return 4 * 1024;
  if (cpu >= 4) return 2 * 1024;
  return 128;
}

// ---------------------------------------------------------------------------------------------------------
// Lists: env vars, secrets, labels

// Env var names as shells and Cloud Run's console accept them (stricter than Cloud Run, which refuses only an
// empty name or one with `=`: cloud.google.com/run/docs/configuring/services/overview-environment-variables).
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The container runtime contract's variables are reserved and cannot be set: the services' and the jobs'
// (cloud.google.com/run/docs/configuring/services/overview-environment-variables "Reserved environment
// variables"; cloud.google.com/run/docs/container-contract; docs/platform.md "Limits on inputs").
const RESERVED_ENV = [
  'PORT',
  'K_SERVICE',
  'K_REVISION',
  'K_CONFIGURATION',
  'CLOUD_RUN_JOB',
  'CLOUD_RUN_EXECUTION',
  'CLOUD_RUN_TASK_INDEX',
  'CLOUD_RUN_TASK_ATTEMPT',
  'CLOUD_RUN_TASK_COUNT',
];
// At most 1000 variables per container (same page, "Maximum number of environment variables"), and a
// literal value at most 32768 bytes (k8s.min.proto `EnvVar.value`).
const MAX_ENV_VARS = 1000;
const MAX_ENV_VALUE_BYTES = 32_768;
const ENV_DOC = 'https://cloud.google.com/run/docs/configuring/services/overview-environment-variables';

interface Line {
  /** 1-based line number in the input. */
  number: number;
  name: string;
  rest: string;
}

// Splits `NAME=REST` lines; blank lines and `#` comments are skipped. Never echoes a line's content: it may
// hold a secret value.
function splitAssignments(
  input: 'env_vars' | 'secrets',
  text: string,
  shape: string,
  problems: Problems,
): Line[] {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const number = index + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq === -1) {
      problems.add(input, `line ${number} has no \`=\``, `one \`${shape}\` per line`);
      return;
    }
    const name = line.slice(0, eq).trim();
    if (name === '') {
      problems.add(input, `line ${number} has no name before \`=\``, `one \`${shape}\` per line`);
      return;
    }
    lines.push({ number, name, rest: line.slice(eq + 1) });
  });
  return lines;
}

// Checks names (syntax, reserved, duplicates within the input) and returns the lines whose names are sound.
function checkNames(input: 'env_vars' | 'secrets', lines: Line[], problems: Problems): Line[] {
  const firstLine = new Map<string, number>();
  return lines.filter(({ name, number }) => {
    if (!ENV_NAME.test(name)) {
      problems.add(
        input,
        `line ${number}: ${show(name)} is not a valid variable name`,
        'letters, digits and `_`, not starting with a digit',
      );
      return false;
    }
    if (RESERVED_ENV.includes(name)) {
      problems.add(
        input,
        `line ${number}: \`${name}\` is set by Cloud Run itself`,
        `a name other than ${listOf(RESERVED_ENV)}`,
      );
      return false;
    }
    const seen = firstLine.get(name);
    if (seen !== undefined) {
      problems.add(input, `\`${name}\` is set twice (lines ${seen} and ${number})`, 'each name once');
      return false;
    }
    firstLine.set(name, number);
    return true;
  });
}

// deploy-cloudrun's way of writing "no variables" (its `env_vars` and `secrets` descriptions).
const EMPTY_MAP = '{}';
// A value that reads as more `NAME=VALUE` pairs after a comma: deploy-cloudrun's one-line form.
const COMMA_PAIRS = /,\s*[A-Za-z_][A-Za-z0-9_]*=/;

// Env values are everything after the first `=`, byte for byte: commas, `=`, quotes, JSON and spaces are kept.
// A value is never echoed: it may be a secret pasted into the wrong input.
function parseEnvVars(text: string, problems: Problems): { name: string; value: string }[] {
  if (text.trim() === EMPTY_MAP) return [];
  const lines = checkNames('env_vars', splitAssignments('env_vars', text, 'NAME=VALUE', problems), problems);
  for (const { name, rest, number } of lines) {
    // A JSON value (`{"a":"x,y=z"}`) holds commas by nature: not the one-line form.
    if (COMMA_PAIRS.test(rest) && !/^\s*[[{]/.test(rest))
      problems.warn(
        'env_vars',
        `line ${number}: the value of \`${name}\` looks like comma-separated \`NAME=VALUE\` pairs; here each line is one variable and commas stay in the value, so write one \`NAME=VALUE\` per line (google-github-actions/deploy-cloudrun also split on commas)`,
      );
    if (/^(["']).*\1$/s.test(rest) && rest.length >= 2)
      problems.warn(
        'env_vars',
        `line ${number}: the value of \`${name}\` is in quotes, which stay part of the value here (values are kept byte for byte; google-github-actions/deploy-cloudrun removed them)`,
      );
    const bytes = Buffer.byteLength(rest, 'utf8');
    if (bytes > MAX_ENV_VALUE_BYTES)
      problems.add(
        'env_vars',
        `line ${number}: the value of \`${name}\` is ${bytes} bytes; Cloud Run allows at most ${MAX_ENV_VALUE_BYTES} (32 KiB) per value`,
        'a shorter value, or the data in a Secret Manager secret (`secrets`) or a file in the image',
      );
    if (name.toUpperCase().startsWith('X_GOOGLE_'))
      problems.warn(
        'env_vars',
        `line ${number}: \`${name}\` starts with \`X_GOOGLE_\`, a prefix Google reserves (${ENV_DOC}); the deploy may be refused`,
      );
  }
  return lines.map(({ name, rest }) => ({ name, value: rest }));
}

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
// A version is `latest`, a number from 1, or an alias: a letter, then letters, digits, `-` or `_`, at most 63
// characters, not `latest` or `new` (k8s.min.proto `SecretKeySelector.version`;
// cloud.google.com/secret-manager/docs/assign-alias-to-secret-version).
const SECRET_VERSION = /^(latest|[1-9][0-9]*|[A-Za-z][A-Za-z0-9_-]{0,62})$/;
const SECRET_EXPECTED =
  '`NAME=SECRET[:VERSION]`, `NAME=projects/PROJECT/secrets/SECRET[:VERSION]` or `NAME=projects/PROJECT/secrets/SECRET/versions/VERSION` (VERSION `latest`, a number from 1 or an alias)';

// A Secret Manager reference in one of its written forms; the version defaults to `latest`.
function parseSecretRef(text: string): SecretRef | undefined {
  const full = /^(projects\/[^/:]+\/secrets\/([^/:]+))(?:\/versions\/([^/:]+)|:([^/:]+))?$/.exec(text);
  const short = /^([^/:]+)(?::([^/:]+))?$/.exec(text);
  const [secret, id, version] = full
    ? [full[1], full[2], full[3] ?? full[4]]
    : short
      ? [short[1], short[1], short[2]]
      : [];
  if (secret === undefined || id === undefined || !SECRET_ID.test(id)) return undefined;
  if (version !== undefined && (!SECRET_VERSION.test(version) || version.toLowerCase() === 'new'))
    return undefined;
  if (version !== undefined && version !== 'latest' && version.toLowerCase() === 'latest') return undefined;
  return { secret, version: version ?? 'latest' };
}

// Mount paths as gcloud takes them: `/DIRECTORY/FILE`, at least two segments, none empty, `.` or `..`
// (flags.py `_ValidatedMountPoint`); the directory becomes the mount and must not shadow the system's
// (docs/platform.md "Secrets as files").
const MOUNT_SEGMENT = /^[A-Za-z0-9._-]+$/;
const SYSTEM_DIRECTORIES = ['/dev', '/proc', '/sys'];
const MOUNT_EXPECTED =
  '`/DIRECTORY/FILE=SECRET[:VERSION]`, such as `/secrets/api/key=api-key:3`: an absolute file path of letters, digits, `.`, `_`, `-`, at least one directory deep, not under /dev, /proc or /sys';

// What is wrong with a secret file path, or undefined when it is sound.
function findMountMistake(path: string): string | undefined {
  const segments = path.split('/').slice(1);
  if (segments.length < 2) return `${show(path)} has no directory to mount (the file needs one)`;
  const bad = segments.find((seg) => seg === '' || seg === '.' || seg === '..' || !MOUNT_SEGMENT.test(seg));
  if (bad !== undefined) return `${show(path)} has an invalid path segment ${show(bad)}`;
  const directory = path.slice(0, path.lastIndexOf('/'));
  const system = SYSTEM_DIRECTORIES.find((d) => directory === d || directory.startsWith(`${d}/`));
  if (system) return `${show(path)} would mount over \`${system}\`, which Cloud Run keeps for the system`;
  return undefined;
}

// `/DIRECTORY/FILE=SECRET[:VERSION]` lines: each a file in a secret volume mounted at DIRECTORY. Cloud Run
// holds one secret per mounted directory (config_changes.py `SecretVolumeChanges`).
function parseSecretMounts(lines: Line[], problems: Problems): { path: string; ref: SecretRef }[] {
  const mounts: { path: string; ref: SecretRef }[] = [];
  const firstLine = new Map<string, number>();
  const secretOf = new Map<string, { secret: string; number: number }>();
  for (const { name: path, rest, number } of lines) {
    const mistake = findMountMistake(path);
    const ref = parseSecretRef(rest.trim());
    if (mistake) problems.add('secrets', `line ${number}: ${mistake}`, MOUNT_EXPECTED);
    if (!ref)
      problems.add(
        'secrets',
        `line ${number}: ${show(rest.trim())} is not a Secret Manager reference`,
        SECRET_EXPECTED,
      );
    if (mistake || !ref) continue;
    const seen = firstLine.get(path);
    if (seen !== undefined) {
      problems.add('secrets', `\`${path}\` is mounted twice (lines ${seen} and ${number})`, 'each file once');
      continue;
    }
    firstLine.set(path, number);
    const directory = path.slice(0, path.lastIndexOf('/'));
    const other = secretOf.get(directory);
    if (other && other.secret !== ref.secret) {
      problems.add(
        'secrets',
        `lines ${other.number} and ${number} mount two secrets in \`${directory}\`; Cloud Run mounts one secret per directory`,
        'files of different secrets in different directories',
      );
      continue;
    }
    if (!other) secretOf.set(directory, { secret: ref.secret, number });
    mounts.push({ path, ref });
  }
  return mounts;
}

function parseSecrets(text: string, envNames: ReadonlySet<string>, problems: Problems) {
  const all =
    text.trim() === EMPTY_MAP ? [] : splitAssignments('secrets', text, 'NAME=SECRET[:VERSION]', problems);
  const mounts = parseSecretMounts(
    all.filter((l) => l.name.startsWith('/')),
    problems,
  );
  const lines = checkNames(
    'secrets',
    all.filter((l) => !l.name.startsWith('/')),
    problems,
  );
  const secrets: { name: string; ref: SecretRef }[] = [];
  for (const { name, rest, number } of lines) {
    const reference = rest.trim();
    const ref = parseSecretRef(reference);
    if (!ref)
      problems.add(
        'secrets',
        COMMA_PAIRS.test(reference)
          ? `line ${number}: ${show(reference)} looks like comma-separated pairs`
          : `line ${number}: ${show(reference)} is not a Secret Manager reference`,
        COMMA_PAIRS.test(reference) ? `one \`NAME=SECRET[:VERSION]\` per line` : SECRET_EXPECTED,
      );
    else if (envNames.has(name))
      problems.add(
        'secrets',
        `\`${name}\` is also set in \`env_vars\``,
        'each variable in only one of `env_vars` and `secrets`',
      );
    else secrets.push({ name, ref });
  }
  return { secrets, mounts };
}

// FACTS.md "reserved labels": v2 rejects keys under these prefixes.
const RESERVED_LABEL_DOMAINS = [
  'run.googleapis.com',
  'cloud.googleapis.com',
  'serving.knative.dev',
  'autoscaling.knative.dev',
];
// Google Cloud label syntax: keys start with a lowercase letter; keys and values use lowercase letters,
// digits, `_` and `-`, at most 63 characters; values may be empty; at most 64 labels on a resource
// (cloud.google.com/resource-manager/docs/labels-overview "Requirements for labels"; docs/platform.md
// "Limits on inputs").
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const LABEL_EXPECTED = '`key=value` pairs, one per line or separated by commas';
const MAX_LABELS = 64;
const LABELS_DOC = 'https://cloud.google.com/resource-manager/docs/labels-overview';

function parseLabels(text: string, problems: Problems): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of text.split(/[\n,]/).map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq === -1) {
      problems.add('labels', `${show(entry)} has no \`=\``, LABEL_EXPECTED);
      continue;
    }
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    if (RESERVED_LABEL_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`))) {
      problems.add(
        'labels',
        `key ${show(key)} is under \`${domain}/\`, which Cloud Run reserves`,
        'a key of your own such as `team`',
      );
    } else if (!LABEL_KEY.test(key)) {
      problems.add(
        'labels',
        `key ${show(key)} is not a valid label key`,
        'a lowercase letter, then lowercase letters, digits, `_` or `-`, at most 63 characters',
      );
    } else if (!LABEL_VALUE.test(value)) {
      problems.add(
        'labels',
        `value ${show(value)} of \`${key}\` is not a valid label value`,
        'lowercase letters, digits, `_` or `-`, at most 63 characters',
      );
    } else if (Object.hasOwn(labels, key)) {
      problems.add('labels', `key \`${key}\` is set twice`, 'each key once');
    } else labels[key] = value;
  }
  // The action adds its provenance labels to the same resources (`provenanceLabels` in
  // src/core/service-plan.ts), replacing a user label of the same key.
  const own: readonly string[] = PROVENANCE_LABEL_KEYS;
  for (const key of own.filter((k) => Object.hasOwn(labels, k)))
    problems.warn(
      'labels',
      `\`${key}\` is a label this action sets itself (${listOf(own)}); your value is replaced`,
    );
  const total = new Set([...Object.keys(labels), ...own]).size;
  if (total > MAX_LABELS)
    problems.add(
      'labels',
      `${Object.keys(labels).length} labels plus the ${own.length} this action adds (${listOf(own)}) make ${total}; a Google Cloud resource takes at most ${MAX_LABELS} (${LABELS_DOC})`,
      `at most ${MAX_LABELS - own.length} labels of your own`,
    );
  return labels;
}

// ---------------------------------------------------------------------------------------------------------
// Release names

// The tag pattern and the tag + service limit (FACTS.md "tag rules") live in core/cleanup-plan.ts, shared
// with the cleanup.
// FACTS.md "revision names": `SERVICE-SUFFIX`, at most 63 characters, lowercase letters, digits and `-`, not
// ending with `-`.
const REVISION_SUFFIX = /^[a-z0-9-]*[a-z0-9]$/;
const REVISION_MAX = 63;

// The default tag: `pr-<number>` for pull requests, else `sha-<sha7>`, shortened (`pr12`, `p12`, `s<sha>`)
// when the service name leaves fewer characters; undefined when nothing fits.
function defaultTag(context: RunContext, room: number): string | undefined {
  if (context.pullRequest !== undefined) return previewTag(context.pullRequest, room);
  const sha = context.sha.toLowerCase();
  if (!/^[0-9a-f]{7,}$/.test(sha)) return undefined;
  const full = `sha-${sha.slice(0, 7)}`;
  if (full.length <= room) return full;
  // At least 4 hex digits, or the tag says too little about the commit to be worth having.
  return room >= 5 ? `s${sha.slice(0, Math.min(7, room - 1))}` : undefined;
}

function parseTag(text: string, service: string | undefined, context: RunContext, problems: Problems) {
  const room = service === undefined ? Infinity : TAG_AND_SERVICE_MAX - service.length;
  if (text === '') {
    const tag = defaultTag(context, room);
    if (tag === undefined) {
      if (context.pullRequest === undefined && !/^[0-9a-f]{7,}$/i.test(context.sha))
        problems.add(
          'tag',
          'has no default: the run has no commit SHA to name it after',
          'a tag such as `canary`',
        );
      else
        problems.add(
          'tag',
          `has no default that fits: service \`${service}\` leaves ${Math.max(room, 0)} characters for a tag (tag + service at most ${TAG_AND_SERVICE_MAX})`,
          room > 0
            ? `a tag of at most ${room} characters, or a shorter \`service\``
            : 'a shorter `service` id',
        );
    }
    return tag;
  }
  if (!TAG_PATTERN.test(text)) {
    problems.add(
      'tag',
      `${show(text)} is not a valid traffic tag`,
      'lowercase letters, digits and `-`, starting with a letter, not ending with `-`',
    );
    return undefined;
  }
  if (text.length > room) {
    problems.add(
      'tag',
      `${show(text)} with service \`${service}\` is ${text.length + (service?.length ?? 0)} characters; Cloud Run allows tag + service at most ${TAG_AND_SERVICE_MAX}`,
      room > 0 ? `a tag of at most ${room} characters` : 'a shorter `service` id',
    );
    return undefined;
  }
  return text;
}

// The default suffix `<sha7>-<run id in base 36>-<run attempt>`: unique per commit and attempt, so a re-run
// never reuses a revision name with a different template (FACTS.md "revision names": that is a 409).
function defaultRevisionSuffix(context: RunContext): string | undefined {
  const sha = context.sha.toLowerCase();
  if (!/^[0-9a-f]{7,}$/.test(sha) || !/^[0-9]+$/.test(context.runId) || !/^[0-9]+$/.test(context.runAttempt))
    return undefined;
  return `${sha.slice(0, 7)}-${BigInt(context.runId).toString(36)}-${BigInt(context.runAttempt).toString()}`;
}

// `suffix` is deploy-cloudrun's name for `revision_suffix`: taken, with a deprecation warning.
function suffixInput(text: (name: InputName) => string, problems: Problems): string {
  const [given, alias] = [text('revision_suffix'), text('suffix')];
  if (alias === '') return given;
  if (given !== '' && given !== alias) {
    problems.add(
      'suffix',
      `${show(alias)} differs from \`revision_suffix\` ${show(given)}; \`suffix\` is a deprecated name for \`revision_suffix\``,
      'only `revision_suffix`',
    );
    return given;
  }
  problems.warn(
    'suffix',
    "is deprecated (google-github-actions/deploy-cloudrun's name); it is read as `revision_suffix`, so write `revision_suffix` instead",
  );
  return alias;
}

function parseRevisionSuffix(
  text: string,
  service: string | undefined,
  context: RunContext,
  problems: Problems,
) {
  const room = service === undefined ? Infinity : REVISION_MAX - service.length - 1;
  if (text === '') {
    const suffix = defaultRevisionSuffix(context);
    if (suffix === undefined)
      problems.add(
        'revision_suffix',
        'has no default: the run has no commit SHA, run id or run attempt',
        'a suffix such as `v42`',
      );
    else if (suffix.length > room)
      problems.add(
        'revision_suffix',
        `the default ${show(suffix)} makes revision \`${service}-${suffix}\` ${service!.length + 1 + suffix.length} characters; Cloud Run allows at most ${REVISION_MAX}`,
        `\`revision_suffix\` set to at most ${room} characters, unique per run (e.g. \`\${{ github.run_id }}-\${{ github.run_attempt }}\`)`,
      );
    else return suffix;
    return undefined;
  }
  if (!REVISION_SUFFIX.test(text)) {
    problems.add(
      'revision_suffix',
      `${show(text)} is not a valid revision suffix`,
      'lowercase letters, digits and `-`, not ending with `-`',
    );
    return undefined;
  }
  if (text.length > room) {
    problems.add(
      'revision_suffix',
      `makes revision \`${service}-${text}\` ${service!.length + 1 + text.length} characters; Cloud Run allows at most ${REVISION_MAX}`,
      `a suffix of at most ${room} characters`,
    );
    return undefined;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------------
// Smoke test

const SMOKE_PROTOCOLS = ['sse', 'websocket', 'http', 'grpc', 'none'] as const;
const SMOKE_ACCEPT_ENCODINGS = ['browser', 'identity'] as const;

// Milliseconds from `500ms`, `10s`, `2m` or a bare number of seconds, within [min, max] ms.
function parseMillis(
  input: InputName,
  text: string,
  minMs: number,
  maxMs: number,
  problems: Problems,
): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
    problems.add(
      input,
      `${show(text)} is not a duration from ${minMs / 1000} s to ${maxMs / 1000} s`,
      'a duration such as `500ms`, `10s` or `2m`',
    );
    return undefined;
  }
  return Math.round(ms);
}

function parseSmoke(
  text: (name: InputName) => string,
  profile: Profile | undefined,
  problems: Problems,
): SmokeCriteria | undefined {
  const protocolText = text('smoke_protocol');
  const defaults = PROFILE_SMOKE[profile ?? 'sse'];
  const protocol =
    protocolText === ''
      ? defaults.protocol
      : parseEnum('smoke_protocol', protocolText, SMOKE_PROTOCOLS, problems);
  const path = (name: 'smoke_path' | 'health_path', fallback: string) => {
    const value = text(name);
    if (value === '') return fallback;
    if (name === 'health_path' && value === 'none') return '';
    const example =
      name === 'health_path'
        ? 'a path such as `/health`, or `none` to skip the health check'
        : 'a path such as `/events`';
    if (!value.startsWith('/') || /\s/.test(value)) {
      problems.add(name, `${show(value)} is not a path`, example);
      return undefined;
    }
    // docs/platform.md "Reserved URL paths" (https://cloud.google.com/run/docs/known-issues).
    const hazard = findPathHazard(value);
    if (hazard?.kind === 'other-host') {
      problems.add(name, `${show(value)} ${hazard.detail}`, `${example}, with one leading \`/\``);
      return undefined;
    }
    if (hazard?.kind === 'reserved') {
      problems.add(name, `${show(value)} ${hazard.detail}`, `another ${example.slice(2)}`);
      return undefined;
    }
    if (hazard)
      problems.warn(
        name,
        `${show(value)} ${hazard.detail}; if the smoke test gets a 404 from Google, use a path such as \`${value.replace(/[?#].*$/s, '').slice(0, -1)}\``,
      );
    return value;
  };
  const millis = (name: InputName, fallback: number, min: number, max: number) =>
    text(name) === '' ? fallback : parseMillis(name, text(name), min, max, problems);
  const count = (name: InputName, fallback: number, min: number, max: number) =>
    text(name) === '' ? fallback : parseInteger(name, text(name), min, max, problems);
  const criteria = {
    protocol,
    path: path(
      'smoke_path',
      protocol === 'websocket' ? '/ws' : protocol === 'sse' ? '/events' : defaults.path,
    ),
    // gRPC checks health with grpc.health.v1 itself; an HTTP health path would not be served over h2c.
    healthPath: path('health_path', protocol === 'grpc' ? '' : '/health'),
    healthTimeoutMs: millis('health_timeout', 60_000, 1000, 600_000),
    durationMs: millis('smoke_duration', 10_000, 1000, 600_000),
    firstEventTimeoutMs: millis('smoke_first_event_timeout', 5000, 100, 120_000),
    minEvents: count('smoke_min_events', protocol === 'sse' ? 3 : 0, 0, 1_000_000),
    maxGapMs: millis('smoke_max_gap', 5000, 100, 600_000),
    connections: count('smoke_connections', 1, 1, 1000),
    checkReconnect:
      text('smoke_reconnect') === ''
        ? true
        : parseBoolean('smoke_reconnect', text('smoke_reconnect'), problems),
  };
  const acceptEncoding =
    text('smoke_accept_encoding') === ''
      ? 'browser'
      : parseEnum('smoke_accept_encoding', text('smoke_accept_encoding'), SMOKE_ACCEPT_ENCODINGS, problems);
  const send = text('smoke_send');
  const expect = text('smoke_expect');
  if (expect !== '' && protocol !== 'websocket')
    problems.add(
      'smoke_expect',
      `is set but \`smoke_protocol\` is \`${protocol}\``,
      '`smoke_send`/`smoke_expect` only with `smoke_protocol: websocket`',
    );
  if (expect.startsWith('/')) {
    const re = /^\/(.*)\/([a-z]*)$/s.exec(expect);
    try {
      if (!re) throw new Error('no closing /');
      new RegExp(re[1], re[2]);
    } catch (err) {
      problems.add(
        'smoke_expect',
        `${show(expect)} is not a valid /regex/flags: ${(err as Error).message}`,
        'plain text to find in the reply, or `/pattern/flags`',
      );
    }
  }
  warnIgnoredSmokeInputs(text, protocol, criteria.healthPath, problems);
  if (protocol === 'none' || protocol === undefined) return undefined;
  if (Object.values(criteria).some((v) => v === undefined) || acceptEncoding === undefined) return undefined;
  return {
    ...(criteria as Omit<SmokeCriteria, 'send' | 'expect'>),
    protocol,
    // An SSE stream with heartbeats needs no events unless `smoke_min_events` asks for them.
    ...(protocol === 'sse' && text('smoke_min_events') === '' && { minEventsIsDefault: true }),
    ...(protocol === 'sse' && { acceptEncoding }),
    ...(send !== '' && protocol === 'websocket' && { send }),
    ...(expect !== '' && { expect }),
  };
}

// Inputs that only tune the smoke test; all ignored with `smoke_protocol: none` (`smoke_expect` is refused).
const SMOKE_TUNING_INPUTS: readonly InputName[] = [
  'smoke_path',
  'health_path',
  'health_timeout',
  'smoke_duration',
  'smoke_first_event_timeout',
  'smoke_min_events',
  'smoke_max_gap',
  'smoke_connections',
  'smoke_send',
  'smoke_url',
  'smoke_reconnect',
  'smoke_accept_encoding',
];

// Warns about smoke inputs the chosen protocol never reads, so a setting that does nothing is not mistaken
// for one that was checked.
function warnIgnoredSmokeInputs(
  text: (name: InputName) => string,
  protocol: (typeof SMOKE_PROTOCOLS)[number] | undefined,
  healthPath: string | undefined,
  problems: Problems,
): void {
  const given = (name: InputName) => text(name) !== '';
  if (protocol === undefined) return;
  if (protocol === 'none') {
    for (const name of SMOKE_TUNING_INPUTS.filter(given))
      problems.warn(name, 'is ignored: `smoke_protocol` is `none`, so no smoke test runs');
    return;
  }
  if (protocol !== 'websocket' && given('smoke_send'))
    problems.warn(
      'smoke_send',
      `is ignored: it is sent only over a WebSocket, and \`smoke_protocol\` is \`${protocol}\``,
    );
  if (protocol !== 'sse')
    for (const name of (['smoke_reconnect', 'smoke_accept_encoding'] as const).filter(given))
      problems.warn(
        name,
        `is ignored: it applies to SSE streams only, and \`smoke_protocol\` is \`${protocol}\``,
      );
  if (protocol === 'http')
    for (const name of (['smoke_min_events', 'smoke_max_gap', 'smoke_connections'] as const).filter(given))
      problems.warn(name, 'is ignored: `smoke_protocol: http` checks the status and body of one GET');
  if (healthPath === '' && given('health_timeout'))
    problems.warn('health_timeout', 'is ignored: `health_path` is `none`, so there is no health check');
}

const ROLLOUTS = ['progressive', 'candidate', 'immediate'] as const;

// `10,50,100`: whole percents from 1 to 100, strictly ascending; ending below 100 is a partial canary.
function parseSteps(text: string, problems: Problems): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  const steps = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (steps.some((n) => !(n >= 1 && n <= 100))) {
    problems.add(
      'traffic_steps',
      `${show(text)} has a step that is not a whole percent from 1 to 100`,
      'comma-separated percents such as `10,50,100`',
    );
    return undefined;
  }
  if (steps.some((n, i) => i > 0 && n <= steps[i - 1])) {
    problems.add(
      'traffic_steps',
      `${show(text)} is not strictly ascending`,
      'ascending percents such as `10,50,100`',
    );
    return undefined;
  }
  return steps;
}

// One duration for every step, or one per step.
function parseStepWaits(text: string, count: number, problems: Problems): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 1 && parts.length !== count) {
    problems.add(
      'step_wait',
      `${show(text)} has ${parts.length} durations for ${count} traffic steps`,
      'one duration for every step, or one per step',
    );
    return undefined;
  }
  const waits = parts.map((p) => parseMillis('step_wait', p, 0, 3_600_000, problems));
  if (waits.some((w) => w === undefined)) return undefined;
  return parts.length === 1 ? Array<number>(count).fill(waits[0] as number) : (waits as number[]);
}

// Warns about rollout inputs the chosen rollout never reads. `step_wait` is read by `immediate` too: it is the
// bake time after its one step to 100 %.
function warnIgnoredRolloutInputs(
  text: (name: InputName) => string,
  rollout: (typeof ROLLOUTS)[number] | undefined,
  trafficSteps: number[] | undefined,
  followLatest: boolean,
  problems: Problems,
): void {
  const given = (name: InputName) => text(name) !== '';
  if ((rollout === 'immediate' || rollout === 'candidate') && given('traffic_steps'))
    problems.warn(
      'traffic_steps',
      `is ignored: \`rollout\` is \`${rollout}\`${rollout === 'immediate' ? ', one step to 100 %' : ', which gives the candidate no traffic'}`,
    );
  if (rollout === 'candidate') {
    if (given('step_wait'))
      problems.warn('step_wait', 'is ignored: `rollout` is `candidate`, so there are no traffic steps');
    if (followLatest)
      problems.warn('follow_latest', 'is ignored: `rollout` is `candidate`, so nothing is promoted');
    if (given('keep_release_tags') && text('keep_release_tags') !== '2')
      problems.warn(
        'keep_release_tags',
        'is ignored: `rollout` is `candidate`, so nothing is promoted and no old release tag is removed',
      );
  } else if (followLatest && trafficSteps !== undefined && trafficSteps[trafficSteps.length - 1] !== 100)
    problems.warn(
      'follow_latest',
      `is ignored: \`traffic_steps\` ends at ${trafficSteps[trafficSteps.length - 1]} % (a partial canary), and LATEST takes over only at 100 %`,
    );
}

// An explicit URL to probe instead of the tag URL: http(s) only; it never receives the ID token.
function parseSmokeUrl(text: string, problems: Problems): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    /* reported below */
  }
  problems.add(
    'smoke_url',
    `${show(text)} is not an http(s) URL`,
    'a URL such as `https://api.example.com` (its origin is probed; it never receives the ID token)',
  );
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------

// Freezes a value and everything reachable from it, so no consumer can change the config.
function freezeDeep<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeDeep(child);
    Object.freeze(value);
  }
  return value;
}

// Each streaming setting and the input that overrides the profile's value for it.
const STREAMING_INPUTS: { key: keyof StreamingSettings; input: InputName }[] = [
  { key: 'timeoutSeconds', input: 'timeout' },
  { key: 'concurrency', input: 'concurrency' },
  { key: 'cpuAlwaysAllocated', input: 'cpu_always_allocated' },
  { key: 'minInstances', input: 'min_instances' },
  { key: 'sessionAffinity', input: 'session_affinity' },
  { key: 'useHttp2', input: 'use_http2' },
];

/** What `project_id` falls back to, in this order; google-github-actions/auth exports both with the project
 * it authenticated to (docs/platform.md "Project from google-github-actions/auth"). */
export const PROJECT_ENV = ['GOOGLE_CLOUD_PROJECT', 'CLOUDSDK_CORE_PROJECT'] as const;

// The project id from `project_id`, else from the first of PROJECT_ENV that is set.
function parseProject(
  given: string,
  env: Readonly<Record<string, string | undefined>>,
  problems: Problems,
): string | undefined {
  const fallback = PROJECT_ENV.find((name) => (env[name] ?? '').trim() !== '');
  const value = given !== '' ? given : fallback ? env[fallback]!.trim() : '';
  if (value === '') {
    problems.add(
      'project_id',
      `is required: it is not given, and neither \`${PROJECT_ENV[0]}\` nor \`${PROJECT_ENV[1]}\` is set`,
      `\`project_id\`, or google-github-actions/auth in an earlier step (it exports both variables): ${PROJECT_EXPECTED}`,
    );
    return undefined;
  }
  if (PROJECT_ID.test(value)) return value;
  const source = given !== '' ? '' : ` (from \`${fallback}\`, as \`project_id\` is not given)`;
  problems.add(
    'project_id',
    /^[0-9]+$/.test(value)
      ? `${show(value)}${source} is a project number, not a project id`
      : `${show(value)}${source} is not a project id`,
    PROJECT_EXPECTED,
  );
  return undefined;
}

// Reads and validates every input at once, so the user sees all problems in one run, not one per run; the
// context supplies the defaults of `tag` and `revision_suffix`, `env` the fallback of `project_id`. Inputs
// that are valid but ignored or risky in their combination come back as `inputWarnings`.
export function parseInputs(
  read: (name: InputName) => string,
  context: RunContext,
  env: Readonly<Record<string, string | undefined>> = {},
): Readonly<DeployConfig> {
  const problems = new Problems();
  // Scalars are trimmed; env_vars and secrets are not, so values keep their bytes.
  const raw = (name: InputName) => read(name) ?? '';
  const text = (name: InputName) => raw(name).trim();
  const optional = <T>(name: InputName, parse: (value: string) => T | undefined): T | undefined => {
    const value = text(name);
    return value === '' ? undefined : parse(value);
  };
  const required = (
    name: InputName,
    expected: string,
    valid: (value: string) => boolean,
    explain?: (value: string) => string,
  ) => {
    const value = text(name);
    if (value === '') problems.add(name, 'is required', expected);
    else if (!valid(value)) problems.add(name, explain?.(value) ?? `${show(value)} is not valid`, expected);
    else return value;
    return undefined;
  };

  // Target.
  const projectId = parseProject(text('project_id'), env, problems);
  const region = required(
    'region',
    'a Cloud Run region such as `us-central1`: lowercase words and a number',
    (v) => REGION.test(v),
  );
  const service = required('service', SERVICE_EXPECTED, (v) => SERVICE_ID.test(v));
  // `cleanup` deploys nothing, so it reads no image: the same `with:` block can serve both jobs.
  const mode = text('mode') === '' ? 'release' : parseEnum('mode', text('mode'), MODES, problems);
  if (mode === 'cleanup' && text('image') !== '')
    problems.warn('image', 'is ignored: `mode` is `cleanup`, which deploys nothing');
  let imageMistake: string | undefined;
  const image =
    mode === 'cleanup'
      ? undefined
      : required(
          'image',
          `a full image reference such as ${IMAGE_EXAMPLE}`,
          (v) => (imageMistake = findImageMistake(v)) === undefined,
          () => imageMistake!,
        );
  const imageHost = image?.split('/')[0].toLowerCase();
  if (imageHost !== undefined && !DIRECT_REGISTRY.test(imageHost) && imageHost !== 'ghcr.io')
    problems.warn(
      'image',
      `\`${imageHost}\` is not a registry Cloud Run pulls from directly (${SUPPORTED_REGISTRIES}, or public \`ghcr.io\` images); unless it is, put an Artifact Registry remote repository in front of it (${REMOTE_REPOSITORY_DOC})`,
    );

  // Auth.
  const workloadIdentityProvider = optional('workload_identity_provider', (v) => parseProvider(v, problems));
  const serviceAccount = optional('service_account', (v) =>
    parseServiceAccount('service_account', v, problems),
  );

  // Streaming: the profile's defaults, then each setting the user gave.
  const profile = text('profile') === '' ? 'sse' : parseEnum('profile', text('profile'), PROFILES, problems);
  const overrides: Partial<StreamingSettings> = {
    timeoutSeconds: optional('timeout', (v) => parseSeconds('timeout', v, 1, 3600, problems)),
    concurrency: optional('concurrency', (v) => parseInteger('concurrency', v, 1, 1000, problems)),
    cpuAlwaysAllocated: optional('cpu_always_allocated', (v) =>
      parseBoolean('cpu_always_allocated', v, problems),
    ),
    minInstances: optional('min_instances', (v) => parseInteger('min_instances', v, 0, Infinity, problems)),
    sessionAffinity: optional('session_affinity', (v) => parseBoolean('session_affinity', v, problems)),
    useHttp2: optional('use_http2', (v) => parseBoolean('use_http2', v, problems)),
  };
  const minInstancesLevel =
    text('min_instances_level') === ''
      ? 'service'
      : parseEnum('min_instances_level', text('min_instances_level'), MIN_INSTANCES_LEVELS, problems);
  const maxInstances = optional('max_instances', (v) =>
    parseInteger('max_instances', v, 1, Infinity, problems),
  );
  const cpu = optional('cpu', (v) => parseCpu(v, problems));
  const memoryText = text('memory');
  const memoryMiB = optional('memory', (v) => parseMemory(v, problems));
  const executionEnvironment = optional('execution_environment', (v) =>
    parseEnum('execution_environment', v, EXECUTION_ENVIRONMENTS, problems),
  );
  const startupCpuBoost = optional('startup_cpu_boost', (v) =>
    parseBoolean('startup_cpu_boost', v, problems),
  );
  const port = optional('port', (v) => parseInteger('port', v, 1, 65535, problems));

  // A setting is known when the user gave it or a valid profile sets it; combinations are checked only
  // between known values, so an unknown profile does not cause a second round of guesses. Profile `none`
  // sets nothing: what the user did not name is the live service's, unknown here.
  const known: Partial<StreamingSettings> = {
    ...(profile && profile !== 'none' ? PROFILE_DEFAULTS[profile] : {}),
  };
  for (const { key } of STREAMING_INPUTS)
    if (overrides[key] !== undefined) Object.assign(known, { [key]: overrides[key] });
  const origin = (key: keyof StreamingSettings) => {
    const entry = STREAMING_INPUTS.find((s) => s.key === key)!;
    return overrides[key] !== undefined ? `\`${entry.input}\`` : `profile \`${profile}\``;
  };

  if (known.minInstances !== undefined && maxInstances !== undefined && known.minInstances > maxInstances)
    problems.add(
      overrides.minInstances !== undefined ? 'min_instances' : 'max_instances',
      `min_instances ${known.minInstances} (from ${origin('minInstances')}) is above max_instances ${maxInstances}`,
      '`min_instances` at most `max_instances`',
    );

  // Combinations Cloud Run refuses: cloud.google.com/run/docs/configuring/services/cpu ("If you use less than
  // 1 CPU, the following requirements are enforced") and .../services/memory-limits ("Required minimum CPUs").
  if (cpu && cpu.value < 1) {
    const fraction = `\`cpu: ${cpu.text}\` (less than 1 CPU)`;
    if (known.concurrency !== undefined && known.concurrency !== 1)
      problems.add(
        'cpu',
        `${fraction} needs concurrency 1, but concurrency is ${known.concurrency} (from ${origin('concurrency')})`,
        '`concurrency: 1` or `cpu` of 1 or more',
      );
    if (known.cpuAlwaysAllocated)
      problems.add(
        'cpu',
        `${fraction} needs CPU allocated only during requests, but CPU is always allocated (from ${origin('cpuAlwaysAllocated')})`,
        '`cpu_always_allocated: false` or `cpu` of 1 or more',
      );
    if (executionEnvironment === 'gen2')
      problems.add(
        'cpu',
        `${fraction} needs the first generation execution environment, but \`execution_environment\` is \`gen2\``,
        '`execution_environment: gen1` or `cpu` of 1 or more',
      );
  }
  if (cpu && memoryMiB !== undefined) {
    if (memoryMiB > maximumMemoryFor(cpu.value))
      problems.add(
        'memory',
        `\`${memoryText}\` needs at least ${minimumCpuFor(memoryMiB)} CPU, but \`cpu\` is \`${cpu.text}\``,
        `at most ${formatMiB(maximumMemoryFor(cpu.value))} with ${cpu.text} CPU, or more \`cpu\``,
      );
    else if (memoryMiB < minimumMemoryFor(cpu.value))
      problems.add(
        'memory',
        `\`${memoryText}\` is too little for ${cpu.text} CPU`,
        `at least ${formatMiB(minimumMemoryFor(cpu.value))} with ${cpu.text} CPU`,
      );
  }
  if (executionEnvironment === 'gen2' && memoryMiB !== undefined && memoryMiB < 512)
    problems.add(
      'memory',
      `\`${memoryText}\` is below the second generation's minimum`,
      'at least `512Mi` with `execution_environment: gen2`, or `gen1`',
    );

  // Service.
  const envVars = parseEnvVars(raw('env_vars'), problems);
  const { secrets, mounts: secretMounts } = parseSecrets(
    raw('secrets'),
    new Set(envVars.map((e) => e.name)),
    problems,
  );
  const strategy = (name: 'env_vars_update_strategy' | 'secrets_update_strategy') =>
    text(name) === '' ? 'merge' : parseEnum(name, text(name), UPDATE_STRATEGIES, problems);
  const envVarsUpdateStrategy = strategy('env_vars_update_strategy');
  const secretsUpdateStrategy = strategy('secrets_update_strategy');
  // deploy-cloudrun leaves the variables alone when `env_vars` is empty; so does this action, and says so.
  for (const [input, given, strategyName] of [
    ['env_vars', raw('env_vars'), 'env_vars_update_strategy'],
    ['secrets', raw('secrets'), 'secrets_update_strategy'],
  ] as const)
    if (
      (input === 'env_vars' ? envVarsUpdateStrategy : secretsUpdateStrategy) === 'overwrite' &&
      given.trim() === ''
    )
      problems.warn(
        strategyName,
        `\`overwrite\` is ignored while \`${input}\` is empty, so the live ${input === 'env_vars' ? 'variables stay' : 'secrets stay'}; write \`${input}: '{}'\` to remove them all`,
      );
  if (envVars.length + secrets.length > MAX_ENV_VARS)
    problems.add(
      envVars.length > MAX_ENV_VARS ? 'env_vars' : 'secrets',
      `sets ${envVars.length + secrets.length} environment variables (${envVars.length} in \`env_vars\`, ${secrets.length} in \`secrets\`); Cloud Run allows at most ${MAX_ENV_VARS} per container (${ENV_DOC})`,
      `at most ${MAX_ENV_VARS} in \`env_vars\` and \`secrets\` together`,
    );
  const labels = parseLabels(raw('labels'), problems);
  const runtimeServiceAccount = optional('runtime_service_account', (v) =>
    parseServiceAccount('runtime_service_account', v, problems),
  );
  const ingress = optional('ingress', (v) => parseEnum('ingress', v, INGRESSES, problems));
  const allowUnauthenticated = optional('allow_unauthenticated', (v) =>
    parseBoolean('allow_unauthenticated', v, problems),
  );
  const publicAccessMethod =
    text('public_access_method') === ''
      ? 'invoker-check'
      : parseEnum('public_access_method', text('public_access_method'), PUBLIC_ACCESS_METHODS, problems);
  // action.yml's default arrives as if given: only another value is worth a warning.
  if (publicAccessMethod === 'iam-binding' && allowUnauthenticated !== true)
    problems.warn(
      'public_access_method',
      `is ignored: it chooses how \`allow_unauthenticated: true\` makes the service public, and \`allow_unauthenticated\` is ${allowUnauthenticated === false ? '`false` (which clears both methods)' : 'not set'}`,
    );

  // Release.
  const tag =
    mode === 'cleanup' && context.pullRequest === undefined && text('tag') === ''
      ? problems.add(
          'tag',
          'is required with `mode: cleanup` outside a pull request event: the default `pr-<number>` needs the pull request',
          "the preview's tag, such as `pr-12`",
        )
      : parseTag(text('tag'), service, context, problems);
  const revisionSuffix = parseRevisionSuffix(suffixInput(text, problems), service, context, problems);
  const lintLevel =
    text('lint_level') === '' ? 'warn' : parseEnum('lint_level', text('lint_level'), LINT_LEVELS, problems);
  const deployTimeoutSeconds =
    text('deploy_timeout') === ''
      ? 900
      : parseSeconds('deploy_timeout', text('deploy_timeout'), 60, 3600, problems);

  // Smoke test.
  const smoke = parseSmoke(text, profile, problems);
  const smokeUrl = optional('smoke_url', (v) => parseSmokeUrl(v, problems));
  const keepFailedCandidate =
    optional('keep_failed_candidate', (v) => parseBoolean('keep_failed_candidate', v, problems)) ?? false;

  // Rollout.
  const rolloutText = text('rollout');
  const rollout =
    rolloutText === ''
      ? context.eventName === 'pull_request' || context.eventName === 'pull_request_target'
        ? 'candidate'
        : 'progressive'
      : parseEnum('rollout', rolloutText, ROLLOUTS, problems);
  const trafficSteps =
    rollout === 'immediate' ? [100] : parseSteps(text('traffic_steps') || '10,50,100', problems);
  const stepWaitMs = trafficSteps
    ? parseStepWaits(text('step_wait') || '60s', trafficSteps.length, problems)
    : undefined;
  const followLatest = optional('follow_latest', (v) => parseBoolean('follow_latest', v, problems)) ?? false;
  const keepReleaseTags =
    text('keep_release_tags') === ''
      ? 2
      : parseInteger('keep_release_tags', text('keep_release_tags'), 1, Infinity, problems);
  warnIgnoredRolloutInputs(text, rollout, trafficSteps, followLatest, problems);
  const candidateCreatesService =
    optional('candidate_creates_service', (v) => parseBoolean('candidate_creates_service', v, problems)) ??
    false;
  if (keepFailedCandidate && smoke === undefined && text('smoke_protocol').toLowerCase() === 'none')
    problems.warn(
      'keep_failed_candidate',
      'is ignored: `smoke_protocol` is `none`, so no candidate can fail the smoke test',
    );
  // A preview's tagged candidate stays at 0 % after the run; with a revision-level floor it stays warm too.
  if (rollout === 'candidate' && minInstancesLevel === 'revision' && (known.minInstances ?? 0) > 0)
    problems.warn(
      'min_instances_level',
      `\`revision\` with \`rollout: candidate\`: the tagged candidate keeps ${known.minInstances} warm, billed instance(s) (from ${origin('minInstances')}) at 0 % until its tag is removed, and so does every other preview left tagged (https://cloud.google.com/run/docs/configuring/min-instances; docs/platform.md "Min instances and tags")`,
    );

  // Reporting: each part on unless turned off.
  const reporting = {
    githubToken: text('github_token'),
    comment: optional('comment_on_pr', (v) => parseBoolean('comment_on_pr', v, problems)) ?? true,
    commentOnCommit:
      optional('comment_on_commit', (v) => parseBoolean('comment_on_commit', v, problems)) ?? false,
    summary: optional('job_summary', (v) => parseBoolean('job_summary', v, problems)) ?? true,
    deployment: optional('github_deployment', (v) => parseBoolean('github_deployment', v, problems)) ?? true,
  };

  if (problems.list.length > 0) throw new InputError(problems.sorted());

  // Every value below is defined: a missing one would have added a problem above.
  const config: DeployConfig = {
    projectId: projectId!,
    region: region!,
    service: service!,
    image: image ?? '',
    mode: mode!,
    ...(workloadIdentityProvider !== undefined && { workloadIdentityProvider }),
    ...(serviceAccount !== undefined && { serviceAccount }),
    profile: profile!,
    streaming: { ...PROFILE_DEFAULTS[profile!], ...(known as StreamingSettings) },
    keepLive:
      profile === 'none'
        ? STREAMING_INPUTS.filter(({ key }) => overrides[key] === undefined).map((s) => s.key)
        : [],
    ...(maxInstances !== undefined && { maxInstances }),
    ...(cpu !== undefined && { cpu: cpu.text }),
    ...(memoryMiB !== undefined && { memory: memoryText }),
    ...(executionEnvironment !== undefined && { executionEnvironment }),
    ...(startupCpuBoost !== undefined && { startupCpuBoost }),
    ...(port !== undefined && { port }),
    envVars,
    // An empty input changes nothing whatever its strategy (warned above), as in deploy-cloudrun.
    envVarsUpdateStrategy: raw('env_vars').trim() === '' ? 'merge' : envVarsUpdateStrategy!,
    secrets,
    secretMounts,
    secretsUpdateStrategy: raw('secrets').trim() === '' ? 'merge' : secretsUpdateStrategy!,
    labels,
    ...(runtimeServiceAccount !== undefined && { runtimeServiceAccount }),
    ...(ingress !== undefined && { ingress }),
    ...(allowUnauthenticated !== undefined && { allowUnauthenticated }),
    publicAccessMethod: publicAccessMethod!,
    minInstancesLevel: minInstancesLevel!,
    minInstancesSet: overrides.minInstances !== undefined,
    tag: tag!,
    revisionSuffix: revisionSuffix!,
    lintLevel: lintLevel!,
    deployTimeoutSeconds: deployTimeoutSeconds!,
    ...(smoke !== undefined && { smoke }),
    ...(smokeUrl !== undefined && { smokeUrl }),
    keepFailedCandidate,
    rollout: rollout!,
    trafficSteps: trafficSteps!,
    stepWaitMs: stepWaitMs!,
    followLatest,
    keepReleaseTags: keepReleaseTags!,
    candidateCreatesService,
    reporting,
    inputWarnings: problems.warningLines(),
  };
  return freezeDeep(config);
}
