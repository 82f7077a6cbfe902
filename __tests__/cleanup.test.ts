// The cleanup orchestrator against in-memory fakes that keep state: a Cloud Run whose traffic really
// changes and a GitHub whose deployments can only be deleted once inactive. Assertions read final state.
import type { CloudRunService, TrafficTarget } from '../src/core/cloud-run-types';
import type { Log } from '../src/ports';
import type { DeploymentsPort } from '../src/adapters/github-deployments';
import type { DeploymentRecord } from '../src/core/cleanup-plan';
import { cleanup, type CleanupPorts, type CleanupTarget } from '../src/cleanup';
import { StepError } from '../src/errors';

const NAME = 'projects/p/locations/us-central1/services/api';
const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
const ENV = 'preview: api (p/us-central1)';
const OLD_ENV = 'preview: api (us-central1)';
const TARGET: CleanupTarget = {
  name: NAME,
  project: 'p',
  service: 'api',
  region: 'us-central1',
  tag: 'pr-12',
  pullRequest: 12,
};

class FakeCloudRun {
  writes: TrafficTarget[][] = [];
  constructor(public service?: CloudRunService) {}
  async getService() {
    return this.service ? structuredClone(this.service) : undefined;
  }
  async setTraffic(_name: string, traffic: TrafficTarget[], opts: { expectTraffic?: TrafficTarget[] } = {}) {
    if (opts.expectTraffic && JSON.stringify(opts.expectTraffic) !== JSON.stringify(this.service!.traffic))
      throw new StepError({ operation: 'set traffic on', target: NAME, cause: 'changed', hint: '' });
    this.writes.push(traffic);
    this.service = { ...this.service!, traffic };
    return structuredClone(this.service);
  }
}

class FakeDeployments implements DeploymentsPort {
  states = new Map<number, string>();
  constructor(public all: DeploymentRecord[]) {
    for (const d of all) this.states.set(d.id, 'success');
  }
  async list(environment: string) {
    return this.all.filter((d) => d.environment === environment);
  }
  async deactivate(id: number) {
    this.states.set(id, 'inactive');
  }
  async remove(id: number) {
    if (this.states.get(id) !== 'inactive') throw Object.assign(new Error('active'), { status: 422 });
    this.all = this.all.filter((d) => d.id !== id);
    return 'deleted' as const;
  }
}

function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (l) => lines.push(l),
    warning: (l) => lines.push(`warning ${l}`),
    error: (l) => lines.push(`error ${l}`),
    debug: () => undefined,
    group: async (title, fn) => (lines.push(`## ${title}`), fn()),
  };
}

const payload = (pr: number | null, service = 'api', project: string | null = 'p', tag?: string) => ({
  stream_deploy: {
    ...(project !== null && { project }),
    service,
    region: 'us-central1',
    tag: tag ?? (pr ? `pr-${pr}` : 'sha-0123456'),
    pull_request: pr,
  },
});

function world() {
  const traffic: TrafficTarget[] = [
    { type: REV, revision: 'api-main', percent: 100, tag: 'sha-0123456' },
    { type: REV, revision: 'api-pr12', percent: 0, tag: 'pr-12' },
    { type: REV, revision: 'api-pr13', percent: 0, tag: 'pr-13' },
  ];
  const cloudRun = new FakeCloudRun({ name: NAME, template: { containers: [] }, traffic } as CloudRunService);
  const github = new FakeDeployments([
    { id: 1, environment: ENV, payload: payload(12) },
    { id: 2, environment: ENV, payload: payload(12) },
    { id: 3, environment: ENV, payload: payload(13) },
    { id: 4, environment: 'api (us-central1)', payload: payload(null) },
    { id: 5, environment: ENV, payload: payload(12, 'web') },
    // The same service and region in another project (prod next to staging), in its own environment and
    // (as if misfiled) in this one: never this project's.
    { id: 6, environment: 'preview: api (prod/us-central1)', payload: payload(12, 'api', 'prod') },
    { id: 7, environment: ENV, payload: payload(12, 'api', 'prod') },
  ]);
  const log = memoryLog();
  const ports: CleanupPorts = { cloudRun, deployments: github, log };
  return { cloudRun, github, log, ports };
}

test("removes only the pull request's tag and deployments; percentages and everything else stay", async () => {
  const { cloudRun, github, ports } = world();
  const outcome = await cleanup(TARGET, ports);
  expect(outcome.tagResult).toBe('removed');
  expect(cloudRun.service!.traffic).toEqual([
    { type: REV, revision: 'api-main', percent: 100, tag: 'sha-0123456' },
    { type: REV, revision: 'api-pr13', percent: 0, tag: 'pr-13' },
  ]);
  expect(github.all.map((d) => d.id)).toEqual([3, 4, 5, 6, 7]);
  expect(outcome.deployments).toEqual({ removed: [1, 2] });
  expect(outcome.tagRevisions).toEqual(['api-pr12']);
});

test('a deployment without a project (from before payloads named it) is left alone, and the log says so', async () => {
  const { github, log, ports } = world();
  github.all.push({ id: 8, environment: OLD_ENV, payload: payload(12, 'api', null) });
  const outcome = await cleanup(TARGET, ports);
  expect(outcome.deployments).toEqual({ removed: [1, 2], leftAlone: [8] });
  expect(github.all.map((d) => d.id)).toContain(8);
  expect(github.states.get(8)).not.toBe('inactive');
  expect(log.lines).toContainEqual(
    expect.stringMatching(/^warning Left 1 GitHub deployment of pull request #12 alone \(#8\)/),
  );
});

test("on a pull request, a tag that is not its preview's is refused naming the input; its deployments still go", async () => {
  const { cloudRun, github, log, ports } = world();
  const guard = { previewTag: 'pr-12', input: 'tag' };
  const outcome = await cleanup({ ...TARGET, tag: 'pr-13', tagGuard: guard }, ports);
  expect(outcome.tagResult).toBe('refused');
  expect(cloudRun.writes).toEqual([]);
  expect(cloudRun.service!.traffic.some((t) => t.tag === 'pr-13')).toBe(true);
  expect(outcome.deployments.removed).toEqual([1, 2]);
  expect(github.all.map((d) => d.id)).toEqual([3, 4, 5, 6, 7]);
  expect(log.lines).toContainEqual(
    expect.stringMatching(/^warning Tag pr-13 was not removed: `tag` is pr-13/),
  );
  expect(log.lines).not.toContainEqual(expect.stringContaining('Nothing to clean up'));
});

test('on a pull request, the default preview tag or a tag its own deployment recorded is removed', async () => {
  const { cloudRun, github, ports } = world();
  const guard = { previewTag: 'pr-12', input: 'tag' };
  expect((await cleanup({ ...TARGET, tagGuard: guard }, ports)).tagResult).toBe('removed');
  cloudRun.service!.traffic.push({ type: REV, revision: 'api-pr14', percent: 0, tag: 'custom' });
  github.all.push({ id: 9, environment: ENV, payload: payload(14, 'api', 'p', 'custom') });
  const recorded = await cleanup(
    { ...TARGET, tag: 'custom', pullRequest: 14, tagGuard: { previewTag: 'pr-14', input: 'tag' } },
    ports,
  );
  expect(recorded.tagResult).toBe('removed');
  expect(recorded.deployments.removed).toEqual([9]);
  // Another project's deployment that recorded the tag does not make it this pull request's.
  github.all.push({ id: 10, environment: ENV, payload: payload(15, 'api', 'prod', 'shared') });
  cloudRun.service!.traffic.push({ type: REV, revision: 'api-x', percent: 0, tag: 'shared' });
  const other = await cleanup(
    { ...TARGET, tag: 'shared', pullRequest: 15, tagGuard: { previewTag: 'pr-15', input: 'tag' } },
    ports,
  );
  expect(other.tagResult).toBe('refused');
});

test('without a guard (the CLI given --tag) any tag goes, and the outcome says what it pointed at', async () => {
  const { cloudRun, ports } = world();
  const { pullRequest: _none, ...noPr } = TARGET;
  const outcome = await cleanup({ ...noPr, tag: 'pr-13' }, ports);
  expect(outcome.tagResult).toBe('removed');
  expect(outcome.tagRevisions).toEqual(['api-pr13']);
  expect(cloudRun.service!.traffic.some((t) => t.tag === 'pr-13')).toBe(false);
});

test('a second run is a no-op with a notice, and writes nothing', async () => {
  const { cloudRun, log, ports } = world();
  await cleanup(TARGET, ports);
  const writes = cloudRun.writes.length;
  const again = await cleanup(TARGET, ports);
  expect(again.tagResult).toBe('absent');
  expect(again.deployments.removed).toEqual([]);
  expect(cloudRun.writes.length).toBe(writes);
  expect(log.lines.at(-1)).toContain('Nothing to clean up');
});

test('a pull request that never deployed, or a service that does not exist, succeeds with a notice', async () => {
  const { ports } = world();
  const never = await cleanup({ ...TARGET, tag: 'pr-99', pullRequest: 99 }, ports);
  expect([never.tagResult, never.deployments.removed]).toEqual(['absent', []]);
  const missing = await cleanup(TARGET, { ...ports, cloudRun: new FakeCloudRun() });
  expect(missing.tagResult).toBe('no-service');
  expect(missing.traffic).toBeUndefined();
});

test('a preview that carries traffic keeps its percent; only the tag goes', async () => {
  const { cloudRun, ports } = world();
  cloudRun.service!.traffic = [
    { type: REV, revision: 'api-main', percent: 90 },
    { type: REV, revision: 'api-pr12', percent: 10, tag: 'pr-12' },
  ];
  const outcome = await cleanup(TARGET, ports);
  expect(cloudRun.service!.traffic).toEqual([
    { type: REV, revision: 'api-main', percent: 90 },
    { type: REV, revision: 'api-pr12', percent: 10 },
  ]);
  expect(outcome.untagged.map((t) => t.revision)).toEqual(['api-pr12']);
});

test('a GitHub failure is a warning naming the permission; the tag is still removed', async () => {
  const { cloudRun, github, log, ports } = world();
  github.list = async () => {
    throw Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
  };
  const outcome = await cleanup(TARGET, ports);
  expect(outcome.tagResult).toBe('removed');
  expect(cloudRun.service!.traffic.some((t) => t.tag === 'pr-12')).toBe(false);
  expect(outcome.deployments.failure).toContain('deployments: write');
  expect(log.lines.some((l) => l.startsWith('warning GitHub deployments were not removed'))).toBe(true);
});

test('a secondary rate limit is a warning that says so, not a missing permission', async () => {
  const { github, ports } = world();
  github.list = async () => {
    throw Object.assign(new Error('You have exceeded a secondary rate limit'), {
      status: 403,
      response: { headers: { 'retry-after': '60' } },
    });
  };
  const outcome = await cleanup(TARGET, { ...ports, now: () => 0 });
  expect(outcome.deployments.failure).toMatch(/secondary rate limit.*after 60 s/);
  expect(outcome.deployments.failure).not.toContain('deployments: write');
});

test('without a token GitHub is not asked, and the outcome says why', async () => {
  const { github, ports } = world();
  const outcome = await cleanup(TARGET, { ...ports, deployments: undefined, deploymentsSkipped: 'no token' });
  expect(outcome.deployments).toEqual({ removed: [], skipped: 'no token' });
  expect(github.all).toHaveLength(7);
});

test('a Cloud Run failure throws: the preview may still be reachable', async () => {
  const { cloudRun, ports } = world();
  cloudRun.setTraffic = async () => {
    throw new StepError({
      operation: 'set traffic on',
      target: NAME,
      cause: 'PERMISSION_DENIED',
      hint: 'grant',
    });
  };
  await expect(cleanup(TARGET, ports)).rejects.toThrow('PERMISSION_DENIED');
});
