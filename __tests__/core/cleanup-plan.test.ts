import type { TrafficTarget } from '../../src/core/cloud-run-types';
import {
  describeCleanup,
  describeGitHubFailure,
  isNoOp,
  planTagRemoval,
  previewDeployments,
  previewPayload,
  previewTag,
  renderCleanupSummary,
  type CleanupOutcome,
} from '../../src/core/cleanup-plan';

const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const;

describe('previewTag', () => {
  test.each([
    [12, 46 - 'api'.length, 'pr-12'],
    [12, 4, 'pr12'],
    [12, 3, 'p12'],
    [12, 2, undefined],
    [12345, 6, 'p12345'],
  ])('pull request %i with room %i -> %s', (n, room, tag) => {
    expect(previewTag(n, room)).toBe(tag);
  });
});

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

describe('preview deployments (payload.stream_deploy)', () => {
  const payload = (pr: number | null, service = 'api', region = 'us-central1') => ({
    stream_deploy: { service, region, tag: pr === null ? 'sha-abc' : `pr-${pr}`, pull_request: pr },
  });
  test.each<[string, unknown, boolean]>([
    ['the pull request, service and region match', payload(12), true],
    ['the same payload as a JSON string', JSON.stringify(payload(12)), true],
    ['another pull request', payload(13), false],
    ['a push release (pull_request null)', payload(null), false],
    ['another service', payload(12, 'web'), false],
    ['another region', payload(12, 'api', 'europe-west1'), false],
    ['a deployment someone else made', { deploy: 'x' }, false],
    ['a payload that is not JSON', 'not json', false],
    ['no payload', null, false],
  ])('%s -> %s', (_name, p, matches) => {
    const found = previewDeployments([{ id: 1, environment: 'preview: api (us-central1)', payload: p }], {
      service: 'api',
      region: 'us-central1',
      pullRequest: 12,
    });
    expect(found.length === 1).toBe(matches);
  });

  test('previewPayload reads the contract fields', () => {
    expect(previewPayload(payload(12))).toEqual({
      service: 'api',
      region: 'us-central1',
      tag: 'pr-12',
      pull_request: 12,
    });
  });
});

describe('the report of a cleanup', () => {
  const outcome = (over: Partial<CleanupOutcome> = {}): CleanupOutcome => ({
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
      'Removed tag pr-12 from api (us-central1); traffic percentages unchanged.',
      'Removed 2 GitHub deployments (#7, #8), each marked inactive first.',
    ]);
    expect(isNoOp(outcome())).toBe(false);
  });

  test('a second run is a no-op that says so', () => {
    const again = outcome({ tagResult: 'absent', deployments: { removed: [] } });
    expect(isNoOp(again)).toBe(true);
    expect(describeCleanup(again)).toEqual([
      'Service api (us-central1) has no tag pr-12: nothing to remove there.',
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

  test('the summary escapes HTML and lists the traffic', () => {
    const md = renderCleanupSummary(outcome({ tag: '<b>' }));
    expect(md).not.toContain('<b>');
    expect(md).toContain('| api-1 | 100 % |  |');
  });

  test('a refused GitHub call names the permission', () => {
    expect(
      describeGitHubFailure({ status: 403, message: 'Resource not accessible by integration' }),
    ).toContain('`permissions: deployments: write`');
    expect(describeGitHubFailure({ status: 500, message: 'Server Error' })).toBe(
      'GitHub answered 500: Server Error',
    );
  });
});
