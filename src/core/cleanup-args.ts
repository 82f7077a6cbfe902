// `stream-deploy cleanup` arguments as data: every problem reported at once, the preview's tag derived the
// way the release derives it (core/cleanup-plan.ts `previewTag`).
import { previewTag, TAG_AND_SERVICE_MAX } from './cleanup-plan';

export const CLEANUP_USAGE = `Usage: stream-deploy cleanup --service S --region R --project P (--pr N | --tag T) [options]

Removes a closed pull request's preview: its tag from service S (traffic percentages untouched) and,
when GITHUB_TOKEN (or GH_TOKEN) and a repository are set, its GitHub deployments (marked inactive, then
deleted; the token needs deployments: write). Uses the application default credentials for Cloud Run.
Running it again, or for a pull request that never deployed, succeeds. Exits 0 on success, 1 when
Cloud Run refused, 2 on a usage error.

Options:
  --service S    Cloud Run service id (required)
  --region R     Cloud Run region, e.g. us-central1 (required)
  --project P    Google Cloud project id (required)
  --pr N         the pull request number; its tag is pr-N unless --tag says otherwise
  --tag T        the preview's tag, when the release was given one (default: pr-N)
  --repo O/R     the GitHub repository of the deployments (default: GITHUB_REPOSITORY)
  --json         print one JSON object {tagResult, traffic, deployments, …} instead of text
  -h, --help     show this help
`;

export interface CleanupArgs {
  service: string;
  region: string;
  project: string;
  tag: string;
  pullRequest?: number;
  repo?: string;
  json: boolean;
}

const SERVICE_ID = /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const TAG = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

type Key = 'service' | 'region' | 'project' | 'pr' | 'tag' | 'repo';
const FLAGS: Record<string, { key: Key; valid: RegExp; expected: string }> = {
  '--service': { key: 'service', valid: SERVICE_ID, expected: 'a Cloud Run service id such as `api`' },
  '--region': { key: 'region', valid: REGION, expected: 'a Cloud Run region such as `us-central1`' },
  '--project': {
    key: 'project',
    valid: PROJECT_ID,
    expected: 'a Google Cloud project id such as `my-project`',
  },
  '--pr': { key: 'pr', valid: /^[1-9][0-9]{0,9}$/, expected: 'a pull request number such as `12`' },
  '--tag': { key: 'tag', valid: TAG, expected: 'a traffic tag such as `pr-12`' },
  '--repo': { key: 'repo', valid: REPO, expected: 'a repository such as `acme/streams`' },
};

/** Parses `cleanup` flags (after the command word); `help` when asked, else the args or every problem. */
export function parseCleanupArgs(
  argv: readonly string[],
): { help: true } | { args: CleanupArgs } | { problems: string[] } {
  const values: Partial<Record<Key, string>> = {};
  let json = false;
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [argv[i].slice(0, eq), argv[i].slice(eq + 1)] : [argv[i], undefined];
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--json' && inline === undefined) json = true;
    else if (flag in FLAGS) {
      const { key, valid, expected } = FLAGS[flag];
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
  for (const flag of ['--service', '--region', '--project'])
    if (values[FLAGS[flag].key] === undefined && !problems.some((p) => p.startsWith(flag)))
      problems.push(`${flag} is required; expected ${FLAGS[flag].expected}`);
  if (values.pr === undefined && values.tag === undefined && !problems.some((p) => /^--(pr|tag)\b/.test(p)))
    problems.push('--pr or --tag is required: which preview to remove');
  const room = TAG_AND_SERVICE_MAX - (values.service?.length ?? 0);
  const tag = values.tag ?? (values.pr !== undefined ? previewTag(Number(values.pr), room) : undefined);
  if (values.service !== undefined && values.pr !== undefined && tag === undefined)
    problems.push(`--pr ${values.pr}: no default tag fits beside service ${values.service}; give --tag`);
  if (problems.length > 0) return { problems };
  return {
    args: {
      service: values.service!,
      region: values.region!,
      project: values.project!,
      tag: tag!,
      ...(values.pr !== undefined && { pullRequest: Number(values.pr) }),
      ...(values.repo !== undefined && { repo: values.repo }),
      json,
    },
  };
}
