import type { TrafficTarget } from '../../src/core/cloud-run-types';
import {
  describeCleanup,
  describeGitHubFailure,
  isNoOp,
  planTagRemoval,
  previewDeployments,
  previewPayload,
  refusePreviewTag,
  renderCleanupSummary,
  unprojectedDeployments,
  type CleanupOutcome,
} from '../../src/core/cleanup-plan';
import { environmentName, statusContext } from '../../src/core/github-names';

const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;

describe('planTagRemoval', () => {
  const base: TrafficTarget = { type: REV, revision: 'api-1', percent: 100, tag: 'sha-abc1234' };
  test.each<[string, TrafficTarget[], TrafficTarget[] | undefined]>([
    [
      'a 0 % preview target is dropped, the rest kept as they were',
      [base, { type: REV, revision: 'api-2', percent: 0, tag: 'pr-12' }],
      [base],
    ],
    [
      'a target that carries traffic keeps its percent and loses only the tag',
      [
        { type: REV, revision: 'api-1', percent: 90 },
        { type: REV, revision: 'api-2', percent: 10, tag: 'pr-12' },
      ],
      [
        { type: REV, revision: 'api-1', percent: 90 },
        { type: REV, revision: 'api-2', percent: 10 },
      ],
    ],
    [
      'a tag on LATEST at 100 % keeps LATEST at 100 %',
      [{ type: LATEST, percent: 100, tag: 'pr-12' }],
      [{ type: LATEST, percent: 100 }],
    ],
    ['no target has the tag: nothing to write', [base], undefined],
    [
      'another preview tag is not this one',
      [base, { type: REV, revision: 'api-3', percent: 0, tag: 'pr-120' }],
      undefined,
    ],
  ])('%s', (_name, traffic, expected) => {
    const removal = planTagRemoval(traffic, 'pr-12');
    expect(removal?.traffic).toEqual(expected);
    if (removal) {
      const total = (t: TrafficTarget[]) => t.reduce((a, b) => a + b.percent, 0);
      expect(total(removal.traffic)).toBe(total(traffic));
    }
  });

  test('says which targets were dropped and which only lost the tag', () => {
    const removal = planTagRemoval(
      [
        { type: REV, revision: 'api-1', percent: 100 },
        { type: REV, revision: 'api-2', percent: 0, tag: 'pr-12' },
        { type: LATEST, percent: 0, tag: 'pr-12' },
      ],
      'pr-12',
    );
    expect(removal?.dropped.map((t) => t.revision ?? 'LATEST')).toEqual(['api-2', 'LATEST']);
    expect(removal?.untagged).toEqual([]);
  });
});

describe('GitHub names', () => {
  test('name the project, so two projects releasing the same service and region never share them', () => {
    expect(environmentName('my-project', 'api', 'us-central1', false)).toBe('api (my-project/us-central1)');
    expect(environmentName('my-project', 'api', 'us-central1', true)).toBe(
      'preview: api (my-project/us-central1)',
    );
    expect(statusContext('my-project', 'api', 'us-central1')).toBe(
      'stream-deploy/my-project/us-central1/api',
    );
    expect(environmentName('staging', 'api', 'us-central1', true)).not.toBe(
      environmentName('prod', 'api', 'us-central1', true),
    );
    expect(statusContext('staging', 'api', 'us-central1')).not.toBe(
      statusContext('prod', 'api', 'us-central1'),
    );
  });
});

describe('preview deployments (payload.stream_deploy)', () => {
  const payload = (pr: number | null, service = 'api', region = 'us-central1', project = 'p') => ({
    stream_deploy: { project, service, region, tag: pr === null ? 'sha-abc' : `pr-${pr}`, pull_request: pr },
  });
  const PREVIEW = { project: 'p', service: 'api', region: 'us-central1', pullRequest: 12 };
  test.each<[string, unknown, boolean]>([
    ['the project, pull request, service and region match', payload(12), true],
    [
      "another project's preview of the same service and region",
      payload(12, 'api', 'us-central1', 'prod'),
      false,
    ],
    ['the same payload as a JSON string', JSON.stringify(payload(12)), true],
    ['another pull request', payload(13), false],
    ['a push release (pull_request null)', payload(null), false],
    ['another service', payload(12, 'web'), false],
    ['another region', payload(12, 'api', 'europe-west1'), false],
    ['a deployment someone else made', { deploy: 'x' }, false],
    ['a payload that is not JSON', 'not json', false],
    ['no payload', null, false],
  ])('%s -> %s', (_name, p, matches) => {
    const found = previewDeployments(
      [{ id: 1, environment: 'preview: api (p/us-central1)', payload: p }],
      PREVIEW,
    );
    expect(found.length === 1).toBe(matches);
  });

  test('a payload without a project is never matched, only reported as unprojected', () => {
    const old = {
      stream_deploy: { service: 'api', region: 'us-central1', tag: 'pr-12', pull_request: 12 },
    };
    const list = [
      { id: 1, environment: 'preview: api (us-central1)', payload: old },
      { id: 2, environment: 'preview: api (us-central1)', payload: payload(12) },
      {
        id: 3,
        environment: 'preview: api (us-central1)',
        payload: { stream_deploy: { ...old.stream_deploy, pull_request: 13 } },
      },
    ];
    expect(previewDeployments(list, PREVIEW).map((d) => d.id)).toEqual([2]);
    expect(unprojectedDeployments(list, PREVIEW).map((d) => d.id)).toEqual([1]);
  });

  test('previewPayload reads the contract fields', () => {
    expect(previewPayload(payload(12))).toEqual({
      project: 'p',
      service: 'api',
      region: 'us-central1',
      tag: 'pr-12',
      pull_request: 12,
    });
  });
});

describe('the report of a cleanup', () => {
  const outcome = (over: Partial<CleanupOutcome> = {}): CleanupOutcome => ({
    project: 'p',
    service: 'api',
    region: 'us-central1',
    tag: 'pr-12',
    pullRequest: 12,
    tagResult: 'removed',
    untagged: [],
    traffic: [{ type: REV, revision: 'api-1', percent: 100 }],
    deployments: { removed: [7, 8] },
    ...over,
  });

  test('says what was removed', () => {
    expect(describeCleanup(outcome())).toEqual([
      'Removed tag pr-12 from api (p/us-central1); traffic percentages unchanged.',
      'Removed 2 GitHub deployments (#7, #8), each marked inactive first.',
    ]);
    expect(isNoOp(outcome())).toBe(false);
  });

  test('a second run is a no-op that says so', () => {
    const again = outcome({ tagResult: 'absent', deployments: { removed: [] } });
    expect(isNoOp(again)).toBe(true);
    expect(describeCleanup(again)).toEqual([
      'Service api (p/us-central1) has no tag pr-12: nothing to remove there.',
      'No GitHub deployment of pull request #12 to remove.',
    ]);
    expect(renderCleanupSummary(again)).toContain('nothing to clean up');
  });

  test('a promoted preview keeps its traffic and the report says so; a GitHub failure is named', () => {
    const lines = describeCleanup(
      outcome({
        untagged: [{ type: REV, revision: 'api-2', percent: 10, tag: 'pr-12' }],
        deployments: { removed: [], failure: 'GitHub answered 403' },
      }),
    );
    expect(lines).toContain('api-2 still serves 10 % of api: only its tag was removed.');
    expect(lines).toContain('GitHub deployments were not removed: GitHub answered 403');
  });

  test('says which revisions a removed tag pointed at', () => {
    expect(describeCleanup(outcome({ tagRevisions: ['api-00042'] }))[0]).toBe(
      'Removed tag pr-12 (it pointed at api-00042) from api (p/us-central1); traffic percentages unchanged.',
    );
  });

  test('a refused tag and deployments left alone are said, and are not a no-op', () => {
    const refused = outcome({
      tagResult: 'refused',
      tagRefused: 'not this preview',
      traffic: undefined,
      deployments: { removed: [], leftAlone: [4] },
    });
    expect(isNoOp(refused)).toBe(false);
    const lines = describeCleanup(refused);
    expect(lines[0]).toBe('Tag pr-12 was not removed: not this preview');
    expect(lines.at(-1)).toMatch(/^Left 1 GitHub deployment of pull request #12 alone \(#4\): made before/);
    expect(renderCleanupSummary(refused)).toContain('tag left in place');
  });

  test('the summary escapes HTML, mentions and links as the report does, and lists the traffic', () => {
    const md = renderCleanupSummary(
      outcome({ tag: '<b>', deployments: { removed: [], failure: 'ask @octocat at https://evil.example' } }),
    );
    expect(md).not.toContain('<b>');
    expect(md).not.toMatch(/@octocat/);
    expect(md).not.toMatch(/https:\/\//);
    expect(md).not.toMatch(/#12\b/);
    expect(md).toContain('| api-1 | 100 % |  |');
  });

  test.each<[string, object, RegExp, boolean]>([
    [
      'a 403 refusal',
      { status: 403, message: 'Resource not accessible by integration' },
      /^GitHub answered 403 \(Resource not accessible by integration\): .*`permissions: deployments: write`$/,
      true,
    ],
    ['a 401', { status: 401, message: 'Bad credentials' }, /deployments: write/, true],
    [
      'a secondary rate limit',
      {
        status: 403,
        message: 'You have exceeded a secondary rate limit',
        response: { headers: { 'retry-after': '30' } },
      },
      /rate-limited \(secondary rate limit\); run the cleanup again after 30 s$/,
      false,
    ],
    [
      'a primary rate limit',
      {
        status: 403,
        message: 'API rate limit exceeded',
        response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1100' } },
      },
      /rate-limited; run the cleanup again after 100 s$/,
      false,
    ],
    [
      'a 404',
      { status: 404, message: 'Not Found' },
      /^GitHub answered 404 \(Not Found\): the repository does not exist or this token may not see it/,
      false,
    ],
    ['a 500', { status: 500, message: 'Server Error' }, /^GitHub answered 500 \(Server Error\)$/, false],
  ])('describeGitHubFailure: %s', (_name, err, expected, namesPermission) => {
    const text = describeGitHubFailure(err, 1_000_000);
    expect(text).toMatch(expected);
    expect(text.includes('`permissions: deployments: write`')).toBe(namesPermission);
  });

  test.each<[string, string, string | undefined, string[], boolean]>([
    ["the pull request's default preview tag", 'pr-12', 'pr-12', [], true],
    ['a tag one of its deployments recorded', 'preview', 'pr-12', ['preview'], true],
    ["another pull request's preview tag", 'pr-13', 'pr-12', ['pr-12'], false],
    ['a release tag', 'canary', 'pr-12', [], false],
    ['no default fits and nothing recorded', 'canary', undefined, [], false],
  ])('refusePreviewTag: %s', (_name, tag, own, recorded, allowed) => {
    const reason = refusePreviewTag(tag, { pullRequest: 12, previewTag: own, recorded, input: 'tag' });
    expect(reason === undefined).toBe(allowed);
    if (reason)
      expect(reason).toMatch(new RegExp(`^\`tag\` is ${tag}, which is not pull request #12's preview`));
  });
});
