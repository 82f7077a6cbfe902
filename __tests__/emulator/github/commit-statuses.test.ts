// The GitHub REST fake's commit statuses (emulator/github/commit-statuses.ts) driven by the real
// `@actions/github` Octokit over real HTTP; each test names the docs.github.com/rest behaviour it holds.
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

describe('commit statuses (docs: rest/commits/statuses), for branch protection', () => {
  test('pending then success under one context; the combined status follows the latest', async () => {
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    for (const state of ['pending', 'success'] as const) {
      const res = await octokit.rest.repos.createCommitStatus({
        owner: OWNER,
        repo: REPO,
        sha,
        state,
        context: 'stream-deploy/api (us-central1)',
        description: `release ${state}`,
        target_url: 'http://pr-12---api.example',
      });
      expect(res.status).toBe(201);
      expect(res.data).toMatchObject({ state, context: 'stream-deploy/api (us-central1)' });
    }
    const listed = await octokit.rest.repos.listCommitStatusesForRef({ owner: OWNER, repo: REPO, ref: sha });
    expect(listed.data.map((s) => s.state)).toEqual(['success', 'pending']);
    const combined = await octokit.rest.repos.getCombinedStatusForRef({ owner: OWNER, repo: REPO, ref: sha });
    expect(combined.data).toMatchObject({ state: 'success', total_count: 1, sha });
    expect(emulator.github.commitStatuses(sha)).toEqual([
      expect.objectContaining({ state: 'pending' }),
      expect.objectContaining({ state: 'success', target_url: 'http://pr-12---api.example' }),
    ]);
  });

  test('a bad state or an over-long description is 422 with both problems', async () => {
    const failure = await failureOf(
      sendUntyped('POST /repos/{owner}/{repo}/statuses/{sha}', {
        owner: OWNER,
        repo: REPO,
        sha: SHA,
        state: 'done',
        description: 'y'.repeat(141),
      }),
    );
    expect(failure.status).toBe(422);
    expect(failure.data.errors).toEqual([
      expect.objectContaining({ field: 'state', message: 'state is not included in the list' }),
      expect.objectContaining({
        field: 'description',
        message: 'description is too long (maximum is 140 characters)',
      }),
    ]);
  });
});
