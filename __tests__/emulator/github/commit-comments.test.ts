// The GitHub REST fake's commit comments (emulator/github/commit-comments.ts) driven by the real
// `@actions/github` Octokit over real HTTP; each test names the docs.github.com/rest behaviour it holds.
import { getOctokit } from '@actions/github';
import { startEmulator, type Emulator } from '../../../emulator/emulator';
import { MARKER, OWNER, REPO, SHA, failureOf } from './harness';

type Octokit = ReturnType<typeof getOctokit>;

let emulator: Emulator;
let octokit: Octokit;

beforeAll(async () => {
  emulator = await startEmulator();
  octokit = getOctokit(emulator.endpoints.githubToken, { baseUrl: emulator.endpoints.githubApi });
});

afterAll(async () => {
  await emulator?.stop();
});

describe('commit comments (docs: rest/commits/comments), for push events', () => {
  test('create, list and update a comment on a commit', async () => {
    const created = await octokit.rest.repos.createCommitComment({
      owner: OWNER,
      repo: REPO,
      commit_sha: SHA,
      body: `${MARKER}\ncandidate up`,
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      commit_id: SHA,
      path: null,
      user: { login: 'github-actions[bot]' },
    });
    const listed = await octokit.rest.repos.listCommentsForCommit({
      owner: OWNER,
      repo: REPO,
      commit_sha: SHA,
    });
    expect(listed.data.map((c) => c.id)).toEqual([created.data.id]);
    await octokit.rest.repos.updateCommitComment({
      owner: OWNER,
      repo: REPO,
      comment_id: created.data.id,
      body: `${MARKER}\npromoted`,
    });
    expect(emulator.github.commitComments(SHA)).toEqual([
      { id: created.data.id, body: `${MARKER}\npromoted`, user: { login: 'github-actions[bot]' } },
    ]);
  });

  test('a SHA that names no commit is 422 "No commit found"', async () => {
    const bad = await failureOf(
      octokit.rest.repos.createCommitComment({
        owner: OWNER,
        repo: REPO,
        commit_sha: 'not-a-sha',
        body: 'x',
      }),
    );
    expect(bad.status).toBe(422);
    expect(bad.data.message).toBe('No commit found for SHA: not-a-sha');
  });
});
