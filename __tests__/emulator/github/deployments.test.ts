// The GitHub REST fake's deployments and deployment statuses (emulator/github/deployments.ts) driven by
// the real `@actions/github` Octokit over real HTTP; each test names the docs.github.com/rest behaviour
// it holds.
import { getOctokit } from '@actions/github';
import { startEmulator, type Emulator } from '../../../emulator/emulator';
import { OWNER, REPO, SHA, failureOf } from './harness';

type Octokit = ReturnType<typeof getOctokit>;

let emulator: Emulator;
let octokit: Octokit;

/** A request outside Octokit's typed parameters, to send what a buggy caller might. */
function sendUntyped(route: string, params: Record<string, unknown>) {
  return octokit.request(route, params);
}

beforeAll(async () => {
  emulator = await startEmulator();
  octokit = getOctokit(emulator.endpoints.githubToken, { baseUrl: emulator.endpoints.githubApi });
});

afterAll(async () => {
  await emulator?.stop();
});

describe('deployments and deployment statuses (docs: rest/deployments)', () => {
  test('a deployment walks in_progress -> success with its URLs; a newer success retires it', async () => {
    const create = () =>
      octokit.rest.repos.createDeployment({
        owner: OWNER,
        repo: REPO,
        ref: SHA,
        environment: 'pr-12 (api, us-central1)',
        description: 'stream-deploy api',
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        production_environment: false,
        payload: { service: 'api', region: 'us-central1' },
      });
    const first = await create();
    expect(first.status).toBe(201);
    expect(first.data).toMatchObject({
      ref: SHA,
      sha: SHA,
      task: 'deploy',
      environment: 'pr-12 (api, us-central1)',
      production_environment: false,
      payload: { service: 'api', region: 'us-central1' },
      creator: { login: 'github-actions[bot]' },
    });
    const id = (first.data as { id: number }).id;
    for (const [state, environment_url] of [
      ['in_progress', undefined],
      ['success', 'http://pr-12---api.example'],
    ] as const)
      expect(
        (
          await octokit.rest.repos.createDeploymentStatus({
            owner: OWNER,
            repo: REPO,
            deployment_id: id,
            state,
            environment_url,
            log_url: 'https://github.com/acme/streams/actions/runs/1001',
            description: `release ${state}`,
          })
        ).status,
      ).toBe(201);

    const listed = await octokit.rest.repos.listDeploymentStatuses({
      owner: OWNER,
      repo: REPO,
      deployment_id: id,
    });
    expect(listed.data.map((s) => s.state)).toEqual(['success', 'in_progress']);
    expect(listed.data[0]).toMatchObject({
      environment_url: 'http://pr-12---api.example',
      log_url: 'https://github.com/acme/streams/actions/runs/1001',
      target_url: 'https://github.com/acme/streams/actions/runs/1001',
    });

    // auto_inactive defaults to true: the next successful deployment to the environment retires this one.
    const second = (await create()).data as { id: number };
    await octokit.rest.repos.createDeploymentStatus({
      owner: OWNER,
      repo: REPO,
      deployment_id: second.id,
      state: 'success',
    });
    const state = emulator.github.deployments();
    expect(state.find((d) => d.id === id)?.statuses.map((s) => s.state)).toEqual([
      'in_progress',
      'success',
      'inactive',
    ]);
    expect(state.find((d) => d.id === second.id)?.statuses.map((s) => s.state)).toEqual(['success']);
    const listedDeployments = await octokit.rest.repos.listDeployments({
      owner: OWNER,
      repo: REPO,
      environment: 'pr-12 (api, us-central1)',
    });
    expect(listedDeployments.data.map((d) => d.id)).toEqual([second.id, id]);
  });

  test('a deployment is deleted only once inactive while the repository has others (docs: delete a deployment)', async () => {
    const make = async () =>
      (
        (
          await octokit.rest.repos.createDeployment({
            owner: OWNER,
            repo: REPO,
            ref: SHA,
            environment: 'delete-me',
            required_contexts: [],
          })
        ).data as { id: number }
      ).id;
    const id = await make();
    await octokit.rest.repos.createDeploymentStatus({
      owner: OWNER,
      repo: REPO,
      deployment_id: id,
      state: 'success',
    });
    const refused = await failureOf(
      octokit.rest.repos.deleteDeployment({ owner: OWNER, repo: REPO, deployment_id: id }),
    );
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.data.errors)).toContain('cannot delete an active deployment');
    await octokit.rest.repos.createDeploymentStatus({
      owner: OWNER,
      repo: REPO,
      deployment_id: id,
      state: 'inactive',
    });
    const deleted = await octokit.rest.repos.deleteDeployment({
      owner: OWNER,
      repo: REPO,
      deployment_id: id,
    });
    expect(deleted.status).toBe(204);
    expect(emulator.github.deployments().some((d) => d.id === id)).toBe(false);
    const again = await failureOf(
      octokit.rest.repos.deleteDeployment({ owner: OWNER, repo: REPO, deployment_id: id }),
    );
    expect(again.status).toBe(404);
  });

  test('a status description over 140 characters is 422 Validation Failed', async () => {
    const { data } = await octokit.rest.repos.createDeployment({
      owner: OWNER,
      repo: REPO,
      ref: 'main',
      required_contexts: [],
    });
    const id = (data as { id: number }).id;
    const failure = await failureOf(
      octokit.rest.repos.createDeploymentStatus({
        owner: OWNER,
        repo: REPO,
        deployment_id: id,
        state: 'failure',
        description: 'x'.repeat(141),
      }),
    );
    expect(failure.status).toBe(422);
    expect(failure.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'DeploymentStatus',
          code: 'custom',
          field: 'description',
          message: 'description is too long (maximum is 140 characters)',
        },
      ],
    });
    const ok = await octokit.rest.repos.createDeploymentStatus({
      owner: OWNER,
      repo: REPO,
      deployment_id: id,
      state: 'failure',
      description: 'x'.repeat(140),
    });
    expect(ok.status).toBe(201);
  });

  test('an unknown state is refused by the request schema', async () => {
    const { data } = await octokit.rest.repos.createDeployment({ owner: OWNER, repo: REPO, ref: 'main' });
    const failure = await failureOf(
      sendUntyped('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        owner: OWNER,
        repo: REPO,
        deployment_id: (data as { id: number }).id,
        state: 'done',
      }),
    );
    expect(failure.status).toBe(422);
    expect(failure.data.message).toMatch(
      /^Invalid request\.\n\nFor 'properties\/state', "done" is not a member of/,
    );
  });
});
