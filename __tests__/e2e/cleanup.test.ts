// Previews that clean up, end to end: the built action against the local Cloud Run and its GitHub fake,
// run the way the runner runs it. A pull request's preview deploys with `rollout: candidate`; `mode:
// cleanup` then removes its tag and its deployments and nothing else; a second cleanup changes nothing.
// Also: a preview refuses to create a service, and a fork's pull request without an OIDC token is skipped.
import { getOctokit } from '@actions/github';
import { runAction } from '../../scripts/local-runner';
import { environmentName } from '../../src/core/github-names';
import { IMAGE, runCli, serviceName, targetInputs, useActionWorld } from '../support/action-world';

const SERVICE = 'preview-api';
const ENV = () => environmentName(w.emulator.endpoints.project, SERVICE, 'us-central1', true);
const PR = (number: number) => ({
  eventName: 'pull_request',
  event: {
    action: 'closed',
    number,
    pull_request: {
      number,
      head: { sha: '89abcdef0123456789abcdef0123456789abcdef', repo: { full_name: 'acme/streams' } },
      base: { repo: { full_name: 'acme/streams' } },
    },
  },
});

const w = useActionWorld();

const target = (service = SERVICE) => targetInputs(w.emulator, service);
const release = (image: string, extra: Record<string, string> = {}) => ({
  ...target(),
  image: `${IMAGE}:${image}`,
  allow_unauthenticated: 'true',
  env_vars: 'TICK_MS=100',
  smoke_protocol: 'none',
  step_wait: '0s',
  ...extra,
});

async function trafficOf(service = SERVICE) {
  const [svc] = await w.services.getService({ name: serviceName(w.emulator, service) });
  return {
    etag: svc.etag,
    traffic: (svc.traffic ?? []).map((t) => ({
      revision: String(t.revision),
      percent: Number(t.percent),
      ...(t.tag ? { tag: t.tag } : {}),
    })),
  };
}

/** A deployment with the payload every release writes (the contract in src/core/cleanup-plan.ts). */
async function seedDeployment(
  pullRequest: number | null,
  service = SERVICE,
  project = w.emulator.endpoints.project,
): Promise<number> {
  const octokit = getOctokit(w.emulator.endpoints.githubToken, { baseUrl: w.emulator.endpoints.githubApi });
  const { data } = await octokit.rest.repos.createDeployment({
    owner: 'acme',
    repo: 'streams',
    ref: '89abcdef0123456789abcdef0123456789abcdef',
    environment: ENV(),
    required_contexts: [],
    transient_environment: true,
    production_environment: false,
    payload: {
      stream_deploy: {
        project,
        service,
        region: 'us-central1',
        tag: `pr-${pullRequest}`,
        pull_request: pullRequest,
      },
    },
  });
  const id = (data as { id: number }).id;
  await octokit.rest.repos.createDeploymentStatus({
    owner: 'acme',
    repo: 'streams',
    deployment_id: id,
    state: 'success',
  });
  return id;
}

const ofPullRequest = (n: number) =>
  w.emulator.github
    .deployments()
    .filter(
      (d) =>
        (d.payload as { stream_deploy?: { pull_request?: number; service?: string } })?.stream_deploy
          ?.pull_request === n &&
        (d.payload as { stream_deploy: { service?: string } }).stream_deploy.service === SERVICE,
    );

test("cleanup removes the closed pull request's tag and deployments, nothing else; a second run is a no-op", async () => {
  const push = { eventName: 'push', event: { ref: 'refs/heads/main' } };
  const main = await runAction('main', release('v1', { rollout: 'immediate' }), w.emulator.endpoints, {
    ...push,
    env: { GITHUB_RUN_ID: '8101' },
  });
  expect([main.code, main.outputs.verdict]).toEqual([0, 'promoted']);
  const preview = await runAction('main', release('v2'), w.emulator.endpoints, {
    ...PR(12),
    env: { GITHUB_RUN_ID: '8102' },
  });
  expect([preview.code, preview.outputs.verdict]).toEqual([0, 'candidate']);
  const before = await trafficOf();
  expect(before.traffic.find((t) => t.tag === 'pr-12')).toMatchObject({ percent: 0 });
  const mine = await seedDeployment(12);
  const other = await seedDeployment(13);
  const otherService = await seedDeployment(12, 'another-api');
  const otherProject = await seedDeployment(12, SERVICE, 'prod-project');

  const cleanup = await runAction('main', { ...target(), mode: 'cleanup' }, w.emulator.endpoints, {
    ...PR(12),
    env: { GITHUB_RUN_ID: '8103' },
  });
  expect(cleanup.annotations).toEqual([]);
  expect([cleanup.code, cleanup.outputs.verdict]).toEqual([0, 'cleaned_up']);
  const after = await trafficOf();
  // Only the preview's 0 % entry is gone; every other target keeps its revision, percent and tag.
  expect(after.traffic).toEqual(before.traffic.filter((t) => t.tag !== 'pr-12'));
  expect(JSON.parse(cleanup.outputs.traffic)).toHaveLength(after.traffic.length);
  const left = w.emulator.github.deployments().map((d) => d.id);
  expect(ofPullRequest(12).map((d) => d.id)).toEqual([otherProject]);
  expect(left).toEqual(expect.arrayContaining([other, otherService, otherProject]));
  expect(left).not.toContain(mine);
  expect(cleanup.summary).toContain('cleaned up');
  expect(cleanup.summary).toContain('Removed tag pr-12');

  const again = await runAction('main', { ...target(), mode: 'cleanup' }, w.emulator.endpoints, {
    ...PR(12),
    env: { GITHUB_RUN_ID: '8104' },
  });
  expect([again.code, again.outputs.verdict, again.annotations]).toEqual([0, 'cleaned_up', []]);
  expect(again.stdout).toContain('Nothing to clean up');
  expect(await trafficOf()).toEqual(after);
  expect(w.emulator.github.deployments().map((d) => d.id)).toEqual(left);

  // The CLI, for a pull request that never deployed a preview: succeeds, changes nothing.
  const e = w.emulator.endpoints;
  const cli = await runCli(
    w.emulator,
    [
      'cleanup',
      '--service',
      SERVICE,
      '--region',
      'us-central1',
      '--pr',
      '77',
      '--json',
      '--project',
      e.project,
    ],
    { GITHUB_TOKEN: e.githubToken, GITHUB_API_URL: e.githubApi, GITHUB_REPOSITORY: 'acme/streams' },
  );
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout)).toMatchObject({ tagResult: 'absent', deployments: { removed: [] } });
  expect(await trafficOf()).toEqual(after);

  // A `tag:` shared from a `with:` block (here the main release's tag) is not pull request #13's preview:
  // refused with a warning naming the input, the release's tag stays, #13's deployments still go.
  const releaseTag = after.traffic.find((t) => t.tag !== undefined && t.percent > 0)?.tag;
  expect(releaseTag).toBeDefined();
  const shared = await runAction(
    'main',
    { ...target(), mode: 'cleanup', tag: releaseTag! },
    w.emulator.endpoints,
    {
      ...PR(13),
      env: { GITHUB_RUN_ID: '8105' },
    },
  );
  expect([shared.code, shared.outputs.verdict]).toEqual([0, 'cleaned_up']);
  expect(shared.annotations).toEqual([
    expect.stringMatching(
      new RegExp(`^::warning::Tag ${releaseTag} was not removed: \`tag\` is ${releaseTag}`),
    ),
  ]);
  expect(await trafficOf()).toEqual(after);
  expect(w.emulator.github.deployments().map((d) => d.id)).not.toContain(other);
});

test('a preview refuses to create a service unless `candidate_creates_service: true`', async () => {
  const refused = await runAction(
    'main',
    { ...release('v1'), service: 'new-preview-api', candidate_creates_service: 'false' },
    w.emulator.endpoints,
    { ...PR(14), env: { GITHUB_RUN_ID: '8201' } },
  );
  expect(refused.code).toBe(1);
  expect(refused.outputs.verdict).toBe('failed');
  expect(refused.stdout).toContain('candidate_creates_service: true');
  await expect(trafficOf('new-preview-api')).rejects.toThrow(/does not exist/);
});

test("a fork's pull request without an OIDC token is skipped with a notice; a same-repository one still fails", async () => {
  const fork = {
    eventName: 'pull_request',
    event: {
      pull_request: {
        number: 15,
        head: { repo: { full_name: 'someone/streams' } },
        base: { repo: { full_name: 'acme/streams' } },
      },
    },
  };
  const noToken = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' };
  const skipped = await runAction('main', release('v1'), w.emulator.endpoints, { ...fork, env: noToken });
  expect([skipped.code, skipped.outputs.verdict]).toEqual([0, 'skipped']);
  expect(skipped.stdout).toMatch(/::notice::Skipped: this pull request comes from a fork/);
  const own = await runAction('main', release('v1'), w.emulator.endpoints, { ...PR(16), env: noToken });
  expect(own.code).toBe(1);
  expect(own.stdout).toContain('id-token: write');
});
