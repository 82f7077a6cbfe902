// The release's I/O, in order: read the commit and the remote's tags, plan (plan.ts), check GitHub has no
// release for the tag, make the release commit off the main line, tag it vX.Y.Z and move vX, push both
// tags in one atomic push, then create the GitHub release. Nothing is pushed until every check passed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRelease, REUSABLE_WORKFLOW, type ReleasePlan } from './plan';

export interface ReleaseOptions {
  /** The repository's working directory; HEAD is the commit released. */
  cwd: string;
  /** `1.2.3` or `v1.2.3`. */
  version: string;
  /** `owner/repo` (GITHUB_REPOSITORY). */
  repository: string;
  /** GitHub REST base (GITHUB_API_URL), e.g. `https://api.github.com`. */
  apiUrl: string;
  /** Token with Contents and Workflows write; used for git and REST, never printed. Optional for a dry run. */
  token?: string;
  /** Git remote the tags go to; default `origin`. */
  remote?: string;
  /** Check and build the release commit, push and publish nothing. */
  dryRun?: boolean;
  /** Author and committer of the release commit and tagger of its tags. */
  identity?: { name: string; email: string };
  log: (line: string) => void;
}

export interface ReleaseOutcome {
  plan: ReleasePlan;
  /** The release commit: HEAD plus the rewritten `uses:` line. */
  commit: string;
  /** html_url of the GitHub release; undefined on a dry run. */
  releaseUrl?: string;
}

/** Every reason the release stopped, each naming what to fix. */
export class ReleaseError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `- ${p}`).join('\n'));
  }
}

const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

/** Releases HEAD as `options.version`; throws ReleaseError with every problem when it cannot. */
export async function runRelease(options: ReleaseOptions): Promise<ReleaseOutcome> {
  const remote = options.remote ?? 'origin';
  const identity = options.identity ?? BOT;
  const git = gitRunner(options.cwd, options.token);
  const github = gitHubClient(options.apiUrl, options.repository, options.token);

  const show = (path: string) => git(['show', `HEAD:${path}`]).catch(() => '');
  const [packageJson, changelog, actionYml, reusableWorkflow, remoteRefs] = await Promise.all([
    show('package.json'),
    show('CHANGELOG.md'),
    show('action.yml'),
    show(REUSABLE_WORKFLOW),
    git(['ls-remote', '--tags', '--refs', remote]),
  ]);
  const remoteTags = remoteRefs
    .split('\n')
    .map((l) => /\trefs\/tags\/(.+)$/.exec(l)?.[1])
    .filter((t): t is string => Boolean(t));
  const result = planRelease({
    requested: options.version,
    repository: options.repository,
    packageJson,
    changelog,
    actionYml,
    reusableWorkflow,
    remoteTags,
  });
  const problems = result.ok ? [] : [...result.problems];
  if (!options.token && !options.dryRun)
    problems.push('GITHUB_TOKEN: not set; the release needs a token with Contents and Workflows write.');
  if (result.ok && options.token) {
    const existing = await github.releaseFor(result.plan.tag);
    if (existing)
      problems.push(
        `version: GitHub already has a release for ${result.plan.tag} (${existing}); release the next version.`,
      );
  }
  if (!result.ok || problems.length) throw new ReleaseError(problems);
  const { plan } = result;

  const head = (await git(['rev-parse', 'HEAD'])).trim();
  options.log(
    `Releasing ${head.slice(0, 12)} as ${plan.tag} (previous ${plan.previousTag ?? 'none'}); ` +
      `${plan.majorTag} moves to it.`,
  );
  const commit = await makeReleaseCommit(git, plan, identity);
  options.log(
    `Release commit ${commit.slice(0, 12)}: ${REUSABLE_WORKFLOW} calls ${options.repository}@${plan.tag}.`,
  );
  if (options.dryRun) {
    options.log('Dry run: nothing tagged, pushed or published.');
    return { plan, commit };
  }

  const tagEnv = identityEnv(identity);
  await git(['tag', '-a', plan.tag, '-m', plan.tag, commit], tagEnv);
  await git(
    ['tag', '-f', '-a', plan.majorTag, '-m', `${plan.majorTag}: newest is ${plan.tag}`, commit],
    tagEnv,
  );
  // One atomic push: either both tags land or neither. Only the major tag is forced; vX.Y.Z must be new.
  await git(['push', '--atomic', remote, `refs/tags/${plan.tag}`, `+refs/tags/${plan.majorTag}`]).catch(
    (err: Error) => {
      const hint = /without `?workflows?`? (permission|scope)/.test(err.message)
        ? ' The release commit changes a workflow file, so pushing its tag needs a token with the ' +
          'Workflows permission, which GITHUB_TOKEN can never have (docs/platform.md "Tags and workflow ' +
          'files"): run with the release app\'s token, as .github/workflows/release.yml does.'
        : '';
      throw new ReleaseError([
        `push of ${plan.tag} and ${plan.majorTag} to ${remote} failed: ${err.message}${hint}`,
      ]);
    },
  );
  options.log(`Pushed ${plan.tag} and ${plan.majorTag} to ${remote}.`);
  const releaseUrl = await github.createRelease(plan).catch((err: Error) => {
    throw new ReleaseError([
      `${err.message}. The tags ${plan.tag} and ${plan.majorTag} are pushed; create the release for ` +
        `${plan.tag} by hand with the CHANGELOG.md section as its notes, or delete ${plan.tag} and run again.`,
    ]);
  });
  options.log(`Published ${releaseUrl}`);
  return { plan, commit, releaseUrl };
}

type Git = (args: string[], env?: Record<string, string>, input?: string) => Promise<string>;

/** A commit whose parent is HEAD and whose tree is HEAD's with the reusable workflow rewritten. */
async function makeReleaseCommit(
  git: Git,
  plan: ReleasePlan,
  identity: { name: string; email: string },
): Promise<string> {
  // A private index: the branch, the index and the working tree stay as they are.
  const dir = mkdtempSync(join(tmpdir(), 'stream-deploy-release-'));
  const index = { GIT_INDEX_FILE: join(dir, 'index') };
  try {
    const [mode] = (await git(['ls-tree', 'HEAD', '--', REUSABLE_WORKFLOW])).split(/\s/);
    const blob = (await git(['hash-object', '-w', '--stdin'], {}, plan.reusableWorkflow)).trim();
    await git(['read-tree', 'HEAD'], index);
    await git(['update-index', '--cacheinfo', `${mode || '100644'},${blob},${REUSABLE_WORKFLOW}`], index);
    const tree = (await git(['write-tree'], index)).trim();
    return (
      await git(['commit-tree', tree, '-p', 'HEAD', '-m', plan.commitMessage], identityEnv(identity))
    ).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function identityEnv(identity: { name: string; email: string }): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}

/**
 * Runs git in `cwd`. With a token, https remotes get it as a basic-auth header through GIT_CONFIG_*
 * variables (as actions/checkout's extraheader, but never in argv or .git/config); messages are scrubbed.
 */
function gitRunner(cwd: string, token: string | undefined): Git {
  const auth: Record<string, string> = token
    ? {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraheader',
        GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
      }
    : {};
  const scrub = (text: string) =>
    token
      ? text
          .split(token)
          .join('***')
          .split(Buffer.from(`x-access-token:${token}`).toString('base64'))
          .join('***')
      : text;
  return (args, env = {}, input) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        args,
        {
          cwd,
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...auth, ...env },
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => {
          if (err) reject(new Error(scrub(`git ${args[0]}: ${String(stderr).trim() || err.message}`)));
          else resolve(String(stdout));
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
}

/** The two REST calls of a release (docs/platform.md "Releases"). */
function gitHubClient(apiUrl: string, repository: string, token: string | undefined) {
  const base = `${apiUrl.replace(/\/+$/, '')}/repos/${repository}`;
  const headers = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'stream-deploy-release',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const failure = async (what: string, res: Response) => {
    const body = (await res.json().catch(() => ({}))) as {
      message?: string;
      errors?: Array<{ code?: string; field?: string }>;
    };
    const detail = [
      body.message,
      ...(body.errors ?? []).map((e) => `${e.field ?? ''} ${e.code ?? ''}`.trim()),
    ]
      .filter(Boolean)
      .join('; ');
    const advice =
      res.status === 401
        ? ': the token is not valid'
        : res.status === 403 || res.status === 404
          ? ': the token needs Contents write on this repository'
          : '';
    return new Error(`${what} answered ${res.status} (${detail || res.statusText})${advice}`);
  };
  return {
    /** html_url of the release for `tag`, or undefined when there is none. */
    async releaseFor(tag: string): Promise<string | undefined> {
      const res = await fetch(`${base}/releases/tags/${encodeURIComponent(tag)}`, { headers });
      if (res.status === 404) return undefined;
      if (!res.ok) throw await failure(`GET /repos/${repository}/releases/tags/${tag}`, res);
      return ((await res.json()) as { html_url?: string }).html_url ?? tag;
    },
    async createRelease(plan: ReleasePlan): Promise<string> {
      const res = await fetch(`${base}/releases`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(plan.releaseRequest),
      });
      if (res.status !== 201) {
        const err = await failure(`POST /repos/${repository}/releases`, res);
        if (res.status === 422 && err.message.includes('already_exists'))
          err.message += `: GitHub already has a release for ${plan.tag}`;
        throw err;
      }
      return ((await res.json()) as { html_url: string }).html_url;
    },
  };
}
