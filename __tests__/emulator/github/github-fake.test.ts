// The GitHub REST fake's server (emulator/github/github-fake.ts) driven by the real `@actions/github`
// Octokit over real HTTP, through the emulator's `/github-api` base URL (how GITHUB_API_URL points a
// GitHub Enterprise Server client): authentication and token identities (users.ts), permissions,
// unknown repositories, injected failures, and pull request heads (pulls.ts). Each resource's routes
// have their own test file beside this one; each test names the docs.github.com/rest behaviour it holds.
import { getOctokit } from '@actions/github';
import { startEmulator, type Emulator } from '../../../emulator/emulator';
import { OWNER, REPO, SHA, failureOf, restoreAllWrite } from './harness';

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

afterEach(() => restoreAllWrite(emulator));

describe('auth, permissions, unknown repositories (docs: troubleshooting the REST API)', () => {
  test('a token other than the job token is 401 Bad credentials; Bearer and token schemes both work', async () => {
    const stranger = getOctokit('ghs_not-the-job-token', { baseUrl: emulator.endpoints.githubApi });
    const failure = await failureOf(
      stranger.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 12 }),
    );
    expect(failure.status).toBe(401);
    expect(failure.data).toMatchObject({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
    });

    const token = emulator.endpoints.githubToken;
    const lookalike = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    const sameLength = await fetch(`${emulator.endpoints.githubApi}/repos/acme/streams/issues/12/comments`, {
      headers: { authorization: `token ${lookalike}` },
    });
    expect(sameLength.status).toBe(401);

    const url = `${emulator.endpoints.githubApi}/repos/acme/streams/issues/12/comments`;
    const bearer = await fetch(url, {
      headers: { authorization: `Bearer ${emulator.endpoints.githubToken}` },
    });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toBe('Requires authentication');
  });

  test('without pull-requests/issues write the comment is 403 "Resource not accessible by integration"', async () => {
    emulator.github.setPermissions({ contents: 'read', pull_requests: 'read' });
    const failure = await failureOf(
      octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 15, body: 'x' }),
    );
    expect(failure.status).toBe(403);
    expect(failure.data).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '403',
    });
    expect(failure.headers['x-accepted-github-permissions']).toBe('issues=write; pull_requests=write');
    // Reading is still allowed with pull-requests: read.
    const listed = await octokit.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 15 });
    expect(listed.status).toBe(200);
    expect(emulator.github.comments(15)).toEqual([]);
  });

  test('without deployments: write and statuses: write those calls are 403', async () => {
    emulator.github.setPermissions({ contents: 'read', pull_requests: 'write' });
    const deployment = await failureOf(
      octokit.rest.repos.createDeployment({ owner: OWNER, repo: REPO, ref: 'main', environment: 'no-perm' }),
    );
    expect(deployment.status).toBe(403);
    expect(deployment.headers['x-accepted-github-permissions']).toBe('deployments=write');
    const status = await failureOf(
      octokit.rest.repos.createCommitStatus({
        owner: OWNER,
        repo: REPO,
        sha: SHA,
        state: 'pending',
        context: 'no-perm',
      }),
    );
    expect(status.status).toBe(403);
    expect(emulator.github.deployments().filter((d) => d.environment === 'no-perm')).toEqual([]);
    expect(emulator.github.commitStatuses(SHA).filter((s) => s.context === 'no-perm')).toEqual([]);
  });

  test('another repository is 404 Not Found', async () => {
    const failure = await failureOf(
      octokit.rest.issues.createComment({ owner: 'acme', repo: 'other', issue_number: 1, body: 'x' }),
    );
    expect(failure.status).toBe(404);
    expect(failure.data.message).toBe('Not Found');
  });
});

describe('injected failures (docs: rate limits for the REST API)', () => {
  test('a primary rate limit is 403 with x-ratelimit-remaining 0, then the next call succeeds', async () => {
    emulator.github.failNext('issues.createComment', 1, 403);
    const failure = await failureOf(
      octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 16, body: 'x' }),
    );
    expect(failure.status).toBe(403);
    expect(failure.headers['x-ratelimit-remaining']).toBe('0');
    expect(failure.data.message).toMatch(/^API rate limit exceeded/);
    const ok = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 16,
      body: 'x',
    });
    expect(ok.status).toBe(201);
  });

  test("a secondary rate limit is 429 with retry-after and GitHub's text", async () => {
    emulator.github.failNext('repos.createDeploymentStatus', 1, 429);
    const { data } = await octokit.rest.repos.createDeployment({ owner: OWNER, repo: REPO, ref: 'main' });
    const failure = await failureOf(
      octokit.rest.repos.createDeploymentStatus({
        owner: OWNER,
        repo: REPO,
        deployment_id: (data as { id: number }).id,
        state: 'success',
      }),
    );
    expect(failure.status).toBe(429);
    expect(failure.headers['retry-after']).toBe('60');
    expect(failure.data.message).toMatch(/^You have exceeded a secondary rate limit/);
  });

  test('every request is recorded with its method and path', () => {
    expect(emulator.github.requests).toContainEqual({
      method: 'POST',
      path: '/repos/acme/streams/issues/16/comments',
    });
  });
});

describe('token identities and pull request heads (docs: rest/users, graphql, rest/pulls)', () => {
  test('the job token is github-actions[bot]: GET /user is refused as for any installation token, GraphQL viewer answers, its comments carry that author', async () => {
    const refused = await failureOf(octokit.rest.users.getAuthenticated());
    expect(refused.status).toBe(403);
    expect(refused.data.message).toBe('Resource not accessible by integration');
    const { viewer } = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
    expect(viewer.login).toBe('github-actions[bot]');
    const c = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 71,
      body: 'x',
    });
    expect(c.data.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' });
    await expect(
      octokit.graphql('query { repository(owner: "acme", name: "streams") { id } }'),
    ).rejects.toThrow(/viewer/);
  });

  test("a personal access token is its user (GET /user answers) and another App's token is slug[bot] (GET /user refused); each writes as itself", async () => {
    emulator.github.addToken('ghp_alicealicealicealice0000', { login: 'alice', type: 'User' });
    emulator.github.addToken('ghs_otherappotherappother000', { login: 'other-app[bot]', type: 'Bot' });
    const alice = getOctokit('ghp_alicealicealicealice0000', { baseUrl: emulator.endpoints.githubApi });
    const app = getOctokit('ghs_otherappotherappother000', { baseUrl: emulator.endpoints.githubApi });
    expect((await alice.rest.users.getAuthenticated()).data).toMatchObject({ login: 'alice', type: 'User' });
    expect((await failureOf(app.rest.users.getAuthenticated())).status).toBe(403);
    expect(
      (await app.graphql<{ viewer: { login: string } }>('query { viewer { login } }')).viewer.login,
    ).toBe('other-app[bot]');
    await alice.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 72, body: 'by alice' });
    await app.rest.repos.createCommitComment({ owner: OWNER, repo: REPO, commit_sha: SHA, body: 'by app' });
    expect(emulator.github.comments(72).map((c) => c.user.login)).toEqual(['alice']);
    expect(emulator.github.commitComments(SHA).find((c) => c.body === 'by app')?.user.login).toBe(
      'other-app[bot]',
    );
  });

  test('a registered pull request shows its head SHA, and the statuses on that head (not on a merge commit) show on it', async () => {
    const head = 'feedfacefeedfacefeedfacefeedfacefeedface';
    const merge = 'beefcafebeefcafebeefcafebeefcafebeefcafe';
    emulator.github.registerPullRequest(73, head);
    const pr = await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 73 });
    expect(pr.data.head.sha).toBe(head);
    expect(
      (await failureOf(octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 74 }))).status,
    ).toBe(404);
    await octokit.rest.repos.createCommitStatus({
      owner: OWNER,
      repo: REPO,
      sha: merge,
      state: 'success',
      context: 'm',
    });
    await octokit.rest.repos.createCommitStatus({
      owner: OWNER,
      repo: REPO,
      sha: head,
      state: 'pending',
      context: 'h',
    });
    expect(emulator.github.pullRequestStatuses(73)).toEqual([{ state: 'pending', context: 'h' }]);
  });
});
