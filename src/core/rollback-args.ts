// `stream-deploy rollback` as data: its arguments (every problem reported at once) and the release record
// it finds on the service, or why there is none to restore.
import type { CloudRunService } from './cloud-run-types';
import { decodeRecord, RECORD_ANNOTATION, type ReleaseRecord } from './release-record';

export const ROLLBACK_USAGE = `Usage: stream-deploy rollback --service S --region R --project P [--json]

Restores the traffic recorded before the last stream-deploy release of service S: the baseline as it was
found, read from the release record on the service. Uses the credentials already in the environment
(application default credentials). Exits 0 when the baseline is restored or there is nothing to restore,
1 when the restore failed, 2 on a usage error.

Options:
  --service S    Cloud Run service id (required)
  --region R     Cloud Run region, e.g. us-central1 (required)
  --project P    Google Cloud project id (required)
  --json         print one JSON object {action, ok, traffic, message} instead of text
  -h, --help     show this help
`;

export interface RollbackArgs {
  service: string;
  region: string;
  project: string;
  json: boolean;
}

// FACTS.md "service id": starts with a letter, letters/digits/`-`, under 50 characters; lowercase, no
// trailing hyphen (the same rule as the `service` input).
const SERVICE_ID = /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/;
// Region names: `us-central1`, `europe-west4`, `northamerica-northeast1`.
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
// Project ids: 6 to 30 lowercase letters, digits and hyphens; legacy domain-scoped `example.com:my-project`.
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

const VALUE_FLAGS: Record<
  string,
  { key: 'service' | 'region' | 'project'; valid: RegExp; expected: string }
> = {
  '--service': {
    key: 'service',
    valid: SERVICE_ID,
    expected:
      'a Cloud Run service id such as `api` (lowercase letters, digits, hyphens, starting with a letter)',
  },
  '--region': { key: 'region', valid: REGION, expected: 'a Cloud Run region such as `us-central1`' },
  '--project': {
    key: 'project',
    valid: PROJECT_ID,
    expected: 'a Google Cloud project id such as `my-project` (not the project number)',
  },
};

/** Parses `rollback` flags (after the command word); `help` when asked, else the args or every problem. */
export function parseRollbackArgs(
  argv: readonly string[],
): { help: true } | { args: RollbackArgs } | { problems: string[] } {
  const values: Partial<Record<'service' | 'region' | 'project', string>> = {};
  let json = false;
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [argv[i].slice(0, eq), argv[i].slice(eq + 1)] : [argv[i], undefined];
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--json' && inline === undefined) json = true;
    else if (flag in VALUE_FLAGS) {
      const { key, valid, expected } = VALUE_FLAGS[flag];
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) {
        problems.push(`${flag} needs a value; expected ${expected}`);
        if (value !== undefined) i--;
      } else if (values[key] !== undefined) problems.push(`${flag} is given twice`);
      else if (!valid.test(value))
        problems.push(`${flag} ${JSON.stringify(value)} is not valid; expected ${expected}`);
      else values[key] = value;
    } else problems.push(`unknown ${flag.startsWith('-') ? 'option' : 'argument'} ${JSON.stringify(flag)}`);
  }
  for (const [flag, { key, expected }] of Object.entries(VALUE_FLAGS)) {
    const seen = argv.some((a) => a === flag || a.startsWith(`${flag}=`));
    if (!seen && values[key] === undefined) problems.push(`${flag} is required; expected ${expected}`);
  }
  if (problems.length > 0) return { problems };
  const { service, region, project } = values as Required<typeof values>;
  return { args: { service, region, project, json } };
}

/** The service's full resource name, as the Cloud Run API names it. */
export function serviceResourceName(args: Pick<RollbackArgs, 'service' | 'region' | 'project'>): string {
  return `projects/${args.project}/locations/${args.region}/services/${args.service}`;
}

/**
 * The release record on the live service, or what to tell the user instead: `ok` (exit 0) when no release
 * was ever recorded, not ok (exit 1) when the service is missing or its record is unusable.
 */
export function findServiceRecord(
  service: CloudRunService | undefined,
  name: string,
): { record: ReleaseRecord } | { ok: boolean; message: string } {
  if (!service)
    return { ok: false, message: `Service ${name} was not found: check --service, --region and --project.` };
  const text = service.annotations?.[RECORD_ANNOTATION];
  if (text === undefined || text === '') {
    return {
      ok: true,
      message: `No stream-deploy release is recorded on ${name} (annotation ${RECORD_ANNOTATION}); nothing to restore.`,
    };
  }
  const record = decodeRecord(text);
  if (!record) {
    return {
      ok: false,
      message: `The release record on ${name} (annotation ${RECORD_ANNOTATION}) is unreadable or from another version of stream-deploy; traffic was left as it is.`,
    };
  }
  if (record.service !== name) {
    return {
      ok: false,
      message: `The release record on ${name} names another service (${record.service}), as if copied from it; traffic was left as it is.`,
    };
  }
  return { record };
}
