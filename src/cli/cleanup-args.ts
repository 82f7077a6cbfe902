// `stream-deploy cleanup` arguments as data: every problem reported at once, the preview's tag derived the
// way the release derives it (core/tag-rules.ts `previewTag`).
import { previewTag, TAG_AND_SERVICE_MAX, TAG_PATTERN } from '../core/tag-rules';
import { readFlags, SERVICE_FLAGS, type FlagSpec } from './flags';

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

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

type Key = 'service' | 'region' | 'project' | 'pr' | 'tag' | 'repo';
const FLAGS: Record<string, FlagSpec<Key>> = {
  ...SERVICE_FLAGS,
  '--pr': { key: 'pr', valid: /^[1-9][0-9]{0,9}$/, expected: 'a pull request number such as `12`' },
  '--tag': { key: 'tag', valid: TAG_PATTERN, expected: 'a traffic tag such as `pr-12`' },
  '--repo': { key: 'repo', valid: REPO, expected: 'a repository such as `acme/streams`' },
};

/** Parses `cleanup` flags (after the command word); `help` when asked, else the args or every problem. */
export function parseCleanupArgs(
  argv: readonly string[],
): { help: true } | { args: CleanupArgs } | { problems: string[] } {
  const read = readFlags(argv, FLAGS, Object.keys(SERVICE_FLAGS));
  if ('help' in read) return read;
  const { values, json, problems } = read;
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
