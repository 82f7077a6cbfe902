// Fault matrix, GitHub API: the PR comment, the deployment and the commit status are reports, never the
// release: a server error, a rate limit or a missing permission on any of them must leave the release
// promoted (exit 0, planned final traffic) with one warning per channel that says what to do.
// Through the built action; invariants in __tests__/support/fault-suite.ts.
import type {
  GitHubFailureKind,
  GitHubMethod,
  GitHubScope,
  GitHubAccess,
} from '../../emulator/github/github-fake';
import {
  checkCase,
  promoted,
  releaseInputs,
  runMain,
  seedBaseline,
  useFaultWorld,
  type Entry,
} from '../support/fault-suite';

const w = useFaultWorld('github');
const GROUP = 'GitHub API';
const FULL: Partial<Record<GitHubScope, GitHubAccess>> = {
  issues: 'write',
  pull_requests: 'write',
  deployments: 'write',
  statuses: 'write',
  contents: 'read',
};

/** v1 seeded without a release, so without a PR comment: the case's own run is the one that creates it. */
const seedWithoutComment = (service: string): Promise<Entry[]> => seedBaseline(w, service);

/**
 * The release these cases run: one traffic step (100 %), so each still deploys, smoke-tests, shifts, gates
 * and promotes, and reports at each of those phases on every channel (creating the comment, then editing
 * it, the deployment's statuses, the commit status), without two extra steps that report nothing new.
 */
const release = (service: string) =>
  runMain(w, releaseInputs(w.emulator, service, 'v2', { traffic_steps: '100' }));

interface GitHubCase {
  service: string;
  title: string;
  fault: string;
  /** Switches the fault on (after the baseline is seeded). */
  inject: () => void;
  /** The channel the warning must name, and what it must (and must not) advise. */
  channel: string;
  advice: RegExp;
  notAdvice?: RegExp;
  /** Further channels that must each warn once too (a token lacking several permissions), each with its own fix. */
  alsoWarns?: Array<{ channel: string; advice: RegExp; notAdvice: RegExp }>;
  /** The PR comment must end saying Promoted: an edit that failed once is retried, not left stale. */
  endsPromoted?: true;
  label: string;
}

const fail = (method: GitHubMethod, count: number, status: number, kind?: GitHubFailureKind) => () =>
  w.emulator.github.failNext(method, count, status, kind);

const CASES: GitHubCase[] = [
  {
    service: 'github-comment-500',
    title: 'PR comment create 500',
    fault: 'issues.createComment answers 500',
    inject: fail('issues.createComment', 1, 500),
    channel: 'PR comment',
    advice: /Server Error[\s\S]*The release goes on/,
    label: 'warns: could not update the PR comment; release goes on',
  },
  {
    service: 'github-comment-update-500',
    title: 'PR comment update 500',
    fault: 'issues.updateComment answers 500 once (the comment exists), then recovers',
    inject: fail('issues.updateComment', 1, 500),
    channel: 'PR comment',
    advice: /Server Error[\s\S]*The release goes on/,
    endsPromoted: true,
    label: 'warns: could not update the PR comment; release goes on; the comment ends saying Promoted',
  },
  {
    // A primary rate limit is a 403 with x-ratelimit-remaining 0: the fix is to wait, not to grant permissions.
    service: 'github-comment-403-rate',
    title: 'PR comment rate limit 403',
    fault: 'issues.createComment answers 403 rate limit (x-ratelimit-remaining: 0)',
    inject: fail('issues.createComment', 1, 403, 'rate-limit'),
    channel: 'PR comment',
    advice: /rate limit/i,
    notAdvice: /permissions:/,
    label: 'warns: rate limit, not a permission problem',
  },
  {
    service: 'github-comment-429-rate',
    title: 'PR comment secondary rate limit 429',
    fault: 'issues.createComment answers 429 secondary rate limit',
    inject: fail('issues.createComment', 1, 429, 'secondary-rate-limit'),
    channel: 'PR comment',
    advice: /secondary rate limit/i,
    notAdvice: /permissions:/,
    label: 'warns: secondary rate limit',
  },
  {
    service: 'github-deployment-500',
    title: 'deployment create 500',
    fault: 'repos.createDeployment answers 500',
    inject: fail('repos.createDeployment', 1, 500),
    channel: 'deployment status',
    advice: /Server Error[\s\S]*The release goes on/,
    label: 'warns: could not update the deployment status; release goes on',
  },
  {
    service: 'github-status-500',
    title: 'commit status 500',
    fault: 'repos.createCommitStatus answers 500',
    inject: fail('repos.createCommitStatus', 1, 500),
    channel: 'commit status',
    advice: /Server Error[\s\S]*The release goes on/,
    label: 'warns: could not update the commit status; release goes on',
  },
  {
    service: 'github-no-pr-write',
    title: 'no pull-requests: write',
    fault: 'token without `issues` / `pull-requests: write`',
    inject: () => w.emulator.github.setPermissions({ ...FULL, issues: 'read', pull_requests: 'read' }),
    channel: 'PR comment',
    advice: /pull-requests: write/,
    label: 'warns: give `pull-requests: write`',
  },
  {
    service: 'github-no-deployments',
    title: 'no deployments: write',
    fault: 'token without `deployments: write`',
    inject: () => w.emulator.github.setPermissions({ ...FULL, deployments: 'read' }),
    channel: 'deployment status',
    advice: /deployments: write/,
    label: 'warns: give `deployments: write`',
  },
  {
    service: 'github-no-statuses',
    title: 'no statuses: write',
    fault: 'token without `statuses: write`',
    inject: () => w.emulator.github.setPermissions({ ...FULL, statuses: 'read' }),
    channel: 'commit status',
    advice: /statuses: write/,
    label: 'warns: give `statuses: write`',
  },
  {
    service: 'github-read-only',
    title: 'read-only token',
    fault: 'token with `contents: read` only',
    inject: () => w.emulator.github.setPermissions({ contents: 'read' }),
    channel: 'PR comment',
    // The warning names the permission this channel lacks, not a blanket list.
    advice: /`permissions: pull-requests: write`/,
    notAdvice: /deployments: write|statuses: write/,
    alsoWarns: [
      {
        channel: 'deployment status',
        advice: /`permissions: deployments: write`/,
        notAdvice: /pull-requests: write|statuses: write/,
      },
      {
        channel: 'commit status',
        advice: /`permissions: statuses: write`/,
        notAdvice: /pull-requests: write|deployments: write/,
      },
    ],
    label: 'warns once per channel, each with its own permission',
  },
];

test.each(CASES)(
  'GitHub API fails ($title): the release is still promoted, with one warning per failing channel that gives the right fix (a rate limit is not a missing permission)',
  async (c) => {
    const before = await seedWithoutComment(c.service);
    c.inject();
    const run = await release(c.service);
    const warnings = run.annotations
      .filter((a) => a.startsWith('::warning'))
      .map((a) => a.replace(/%0A/g, '\n'));
    const channels = [
      { channel: c.channel, advice: c.advice, notAdvice: c.notAdvice },
      ...(c.alsoWarns ?? []),
    ];
    const about = channels.map(({ channel }) =>
      warnings.filter((a) => a.includes(`Could not update the ${channel}`)),
    );
    // No warning lists every permission at once: each names the one its channel lacks.
    const blanket = warnings.filter((a) => /pull-requests: write[\s\S]*deployments: write/.test(a));
    const comment = w.emulator.github
      .comments(12)
      .find((x) => x.body.includes(c.service) && x.body.includes(run.outputs.revision));
    const heading = comment?.body.split('\n').find((l) => l.startsWith('#'));
    const row = await checkCase(w, run, {
      group: GROUP,
      title: c.title,
      fault: c.fault,
      service: c.service,
      before,
      planned: promoted(run.outputs.revision),
      expected: 'planned',
      verdict: 'promoted',
      exit: 0,
    });
    // The table shows the warnings for these rows (the step has no error to describe).
    const wrong = channels.findIndex(
      (ch, i) =>
        about[i].length !== 1 || !ch.advice.test(about[i][0]) || (ch.notAdvice?.test(about[i][0]) ?? false),
    );
    const stale = c.endsPromoted && !(heading?.includes('Promoted') ?? false);
    row.says =
      wrong >= 0
        ? about[wrong].length === 1
          ? `NOT AS EXPECTED: the ${channels[wrong].channel} warning gives the wrong fix`
          : `NOT AS EXPECTED: ${about[wrong].length} ${channels[wrong].channel} warnings`
        : blanket.length > 0
          ? 'NOT AS EXPECTED: a warning lists every permission'
          : stale
            ? 'NOT AS EXPECTED: the PR comment stays stale'
            : c.label;
    channels.forEach((ch, i) => {
      // Exactly one warning per channel, giving its fix (the channel named, so a failure says which).
      expect({ channel: ch.channel, warnings: about[i] }).toEqual({
        channel: ch.channel,
        warnings: [expect.stringMatching(ch.advice)],
      });
      if (ch.notAdvice) expect(about[i][0]).not.toMatch(ch.notAdvice);
    });
    expect(blanket).toEqual([]);
    if (c.endsPromoted)
      expect({ found: comment !== undefined, heading }).toEqual({
        found: true,
        heading: expect.stringContaining('Promoted'),
      });
  },
);
