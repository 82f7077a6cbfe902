// `stream-deploy rollback` as data: its arguments (every problem reported at once) and the release record
// it finds on the service, or why there is none to restore.
import type { CloudRunService } from '../core/cloud-run-types';
import { decodeRecord, RECORD_ANNOTATION, type ReleaseRecord } from '../core/release-record';
import { readFlags, SERVICE_FLAGS } from './flags';

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

/** Parses `rollback` flags (after the command word); `help` when asked, else the args or every problem. */
export function parseRollbackArgs(
  argv: readonly string[],
): { help: true } | { args: RollbackArgs } | { problems: string[] } {
  const read = readFlags(argv, SERVICE_FLAGS, Object.keys(SERVICE_FLAGS));
  if ('help' in read) return read;
  if (read.problems.length > 0) return { problems: read.problems };
  const { service, region, project } = read.values as Required<typeof read.values>;
  return { args: { service, region, project, json: read.json } };
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
