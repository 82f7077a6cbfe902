// The deployments adapter against the emulator's GitHub fake over real HTTP, through @actions/github.
import { getOctokit } from '@actions/github';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { createGitHubDeployments, type DeploymentsPort } from '../../src/adapters/github-deployments';

const ENV = 'preview: api (us-central1)';
let emulator: Emulator;
let port: DeploymentsPort;
let octokit: ReturnType<typeof getOctokit>;

beforeAll(async () => {
  emulator = await startEmulator();
  const { githubApi, githubToken } = emulator.endpoints;
  port = createGitHubDeployments({ token: githubToken, apiUrl: githubApi, repository: 'acme/streams' });
  octokit = getOctokit(githubToken, { baseUrl: githubApi });
});

afterAll(async () => {
  await emulator?.stop();
});

async function deploy(pr: number, state: 'success' | 'in_progress' = 'success'): Promise<number> {
  const { data } = await octokit.rest.repos.createDeployment({
    owner: 'acme',
    repo: 'streams',
    ref: '0123456789abcdef0123456789abcdef01234567',
    environment: ENV,
    required_contexts: [],
    transient_environment: true,
    production_environment: false,
    payload: { stream_deploy: { service: 'api', region: 'us-central1', tag: `pr-${pr}`, pull_request: pr } },
  });
  const id = (data as { id: number }).id;
  await octokit.rest.repos.createDeploymentStatus({
    owner: 'acme',
    repo: 'streams',
    deployment_id: id,
    state,
  });
  return id;
}

test("lists an environment's deployments with their payloads; deactivates, then deletes", async () => {
  const first = await deploy(21);
  const second = await deploy(22);
  const listed = await port.list(ENV);
  expect(listed.map((d) => d.id)).toEqual(expect.arrayContaining([first, second]));
  expect(listed.find((d) => d.id === first)?.payload).toMatchObject({ stream_deploy: { pull_request: 21 } });
  // GitHub refuses to delete an active deployment while others exist (docs/platform.md).
  await expect(port.remove(first)).rejects.toMatchObject({ status: 422 });
  await port.deactivate(first, 'closed');
  expect(
    emulator.github
      .deployments()
      .find((d) => d.id === first)
      ?.statuses.at(-1)?.state,
  ).toBe('inactive');
  expect(await port.remove(first)).toBe('deleted');
  expect(emulator.github.deployments().some((d) => d.id === first)).toBe(false);
  // Already gone: an earlier cleanup got there first.
  expect(await port.remove(first)).toBe('gone');
});

test('without `deployments: write` the calls are refused with 403', async () => {
  const id = await deploy(23);
  emulator.github.setPermissions({ contents: 'read' });
  try {
    await expect(port.list(ENV)).rejects.toMatchObject({ status: 403 });
    await expect(port.deactivate(id, 'closed')).rejects.toMatchObject({ status: 403 });
  } finally {
    emulator.github.setPermissions({
      deployments: 'write',
      statuses: 'write',
      issues: 'write',
      pull_requests: 'write',
      contents: 'write',
    });
  }
});
