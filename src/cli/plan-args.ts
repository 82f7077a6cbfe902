// `stream-deploy plan`'s arguments: a service.yaml or Job file and the few inputs a file may leave out.
// Offline: the plan is what the action would send for a first deploy, with the linter's findings for a service.
import { type FlagSpec, readFlags, SERVICE_FLAGS } from './flags';

export const PLAN_USAGE = `Usage: stream-deploy plan --metadata FILE [options]

Translate a Cloud Run Knative service.yaml as the action's \`metadata\` input does and print the v2
service it would deploy (a first deploy) and the streaming linter's findings; for a Job file, the v2 job
\`mode: job\` would create. Offline: no API call.

Options:
  --metadata FILE   the service.yaml (apiVersion: serving.knative.dev/v1, kind: Service) or Job file
                    (apiVersion: run.googleapis.com/v1, kind: Job); required
  --project ID      the project (default: GOOGLE_CLOUD_PROJECT or CLOUDSDK_CORE_PROJECT)
  --region REGION   default: the file's cloud.googleapis.com/location label
  --service ID      default: the file's metadata.name
  --image REF       default: the file's container image
  --profile NAME    sse (default), websocket, grpc, http or none
  --json            print one JSON object: {service, warnings, lint}; for a Job file {job, warnings}
  -h, --help        show this help

Exit codes: 0 the file translates and the linter finds no error, 1 it does not, 2 a usage error.
`;

type PlanKey = 'metadata' | 'project' | 'region' | 'service' | 'image' | 'profile';

const ANY = /^\S.*$/;
const FLAGS: Record<string, FlagSpec<PlanKey>> = {
  ...SERVICE_FLAGS,
  '--metadata': { key: 'metadata', valid: ANY, expected: 'a path to a service.yaml or Job file' },
  '--image': { key: 'image', valid: ANY, expected: 'an image reference' },
  '--profile': {
    key: 'profile',
    valid: /^(sse|websocket|grpc|http|none)$/,
    expected: 'sse, websocket, grpc, http or none',
  },
};

export type PlanArgs = { json: boolean } & Partial<Record<PlanKey, string>> & { metadata: string };

export function parsePlanArgs(
  argv: readonly string[],
): { help: true } | { problems: string[] } | { args: PlanArgs } {
  const read = readFlags(argv, FLAGS, ['--metadata']);
  if ('help' in read) return read;
  if (read.problems.length > 0) return { problems: read.problems };
  return { args: { ...read.values, metadata: read.values.metadata!, json: read.json } };
}
