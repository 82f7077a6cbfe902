// Lists: env vars, secrets, labels.
import { PROVENANCE_LABEL_KEYS, type SecretRef } from '../core/config';
import { listOf, type Problems, show } from './shared';

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
export const MAX_ENV_VARS = 1000;
const MAX_ENV_VALUE_BYTES = 32_768;
export const ENV_DOC =
  'https://cloud.google.com/run/docs/configuring/services/overview-environment-variables';

/** The inputs that hold `NAME=VALUE` lines of plain env vars. */
type EnvInput = 'env_vars' | 'execute_env';

interface Line {
  /** 1-based line number in the input. */
  number: number;
  name: string;
  rest: string;
}

// Splits `NAME=REST` lines; blank lines and `#` comments are skipped. Never echoes a line's content: it may
// hold a secret value.
function splitAssignments(
  input: EnvInput | 'secrets',
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
function checkNames(input: EnvInput | 'secrets', lines: Line[], problems: Problems): Line[] {
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
export function parseEnvVars(
  text: string,
  problems: Problems,
  input: EnvInput = 'env_vars',
): { name: string; value: string }[] {
  if (text.trim() === EMPTY_MAP) return [];
  const lines = checkNames(input, splitAssignments(input, text, 'NAME=VALUE', problems), problems);
  for (const { name, rest, number } of lines) {
    // A JSON value (`{"a":"x,y=z"}`) holds commas by nature: not the one-line form.
    if (COMMA_PAIRS.test(rest) && !/^\s*[[{]/.test(rest))
      problems.warn(
        input,
        `line ${number}: the value of \`${name}\` looks like comma-separated \`NAME=VALUE\` pairs; here each line is one variable and commas stay in the value, so write one \`NAME=VALUE\` per line (google-github-actions/deploy-cloudrun also split on commas)`,
      );
    if (/^(["']).*\1$/s.test(rest) && rest.length >= 2)
      problems.warn(
        input,
        `line ${number}: the value of \`${name}\` is in quotes, which stay part of the value here (values are kept byte for byte; google-github-actions/deploy-cloudrun removed them)`,
      );
    const bytes = Buffer.byteLength(rest, 'utf8');
    if (bytes > MAX_ENV_VALUE_BYTES)
      problems.add(
        input,
        `line ${number}: the value of \`${name}\` is ${bytes} bytes; Cloud Run allows at most ${MAX_ENV_VALUE_BYTES} (32 KiB) per value`,
        'a shorter value, or the data in a Secret Manager secret (`secrets`) or a file in the image',
      );
    if (name.toUpperCase().startsWith('X_GOOGLE_'))
      problems.warn(
        input,
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

export function parseSecrets(text: string, envNames: ReadonlySet<string>, problems: Problems) {
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

// docs/platform.md "Labels": v2 rejects keys under these prefixes.
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

export function parseLabels(text: string, problems: Problems): Record<string, string> {
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
