// The GitHub REST fake driven by the real `@actions/github` Octokit over real HTTP, through the
// emulator's `/github-api` base URL (how GITHUB_API_URL points a GitHub Enterprise Server client).
// Each test names the docs.github.com/rest behaviour it holds the fake to.
import { getOctokit } from '@actions/github';
import { startEmulator, type Emulator } from '../../../emulator/emulator';

type Octokit = ReturnType<typeof getOctokit>;

const OWNER = 'acme';
const REPO = 'streams';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const MARKER = '<!-- stream-deploy:api:us-central1 -->';

let emulator: Emulator;
let octokit: Octokit;

/** The RequestError Octokit throws, with the answer GitHub gave. */
async function failureOf(p: Promise<unknown>): Promise<{
  status: number;
  data: Record<string, unknown>;
  headers: Record<string, string | undefined>;
}> {
  try {
    await p;
  } catch (err) {
    const e = err as {
      status: number;
      response: { data: Record<string, unknown>; headers: Record<string, string> };
    };
    return { status: e.status, data: e.response.data, headers: e.response.headers };
  }
  throw new Error('expected the request to fail');
}

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

afterEach(() =>
  emulator.github.setPermissions({
    issues: 'write',
    pull_requests: 'write',
    deployments: 'write',
    statuses: 'write',
    contents: 'write',
  }),
);

describe('issue comments (docs: rest/issues/comments)', () => {
  test('a sticky comment is found by its hidden marker across pages and edited in place', async () => {
    const issue = 12;
    for (const body of ['LGTM', 'ship it', `quoting ${MARKER} by hand`])
      emulator.github.seedComment(issue, body, 'octocat');

    const created = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: issue,
      body: `${MARKER}\nplanned`,
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(created.headers.location).toBe(created.data.url);
    expect(created.data).toMatchObject({
      body: `${MARKER}\nplanned`,
      user: { login: 'github-actions[bot]', type: 'Bot' },
      issue_url: `${emulator.endpoints.githubApi}/repos/acme/streams/issues/12`,
      html_url: expect.stringMatching(/\/issues\/12#issuecomment-\d+$/),
    });
    expect(created.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // A page of 2 of 4 comments carries GitHub's Link header; paginate follows it.
    const first = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: REPO,
      issue_number: issue,
      per_page: 2,
    });
    expect(first.data).toHaveLength(2);
    expect(first.headers.link).toMatch(/rel="next"/);
    expect(first.headers.link).toMatch(/rel="last"/);
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: OWNER,
      repo: REPO,
      issue_number: issue,
      per_page: 2,
    });
    expect(all.map((c) => c.body)).toEqual([
      'LGTM',
      'ship it',
      `quoting ${MARKER} by hand`,
      `${MARKER}\nplanned`,
    ]);
    const sticky = all.find((c) => c.user?.login === 'github-actions[bot]' && c.body?.startsWith(MARKER));
    expect(sticky?.id).toBe(created.data.id);

    const updated = await octokit.rest.issues.updateComment({
      owner: OWNER,
      repo: REPO,
      comment_id: sticky!.id,
      body: `${MARKER}\npromoted`,
    });
    expect(updated.status).toBe(200);
    expect(updated.data.id).toBe(created.data.id);
    const bots = emulator.github.comments(issue).filter((c) => c.user.login === 'github-actions[bot]');
    expect(bots).toEqual([expect.objectContaining({ id: created.data.id, body: `${MARKER}\npromoted` })]);
    expect(emulator.github.comments(issue)).toHaveLength(4);
  });

  test('delete answers 204 and a missing comment is 404', async () => {
    const { data } = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 13,
      body: 'x',
    });
    const del = await octokit.rest.issues.deleteComment({ owner: OWNER, repo: REPO, comment_id: data.id });
    expect(del.status).toBe(204);
    expect(emulator.github.comments(13)).toEqual([]);
    const missing = await failureOf(
      octokit.rest.issues.updateComment({ owner: OWNER, repo: REPO, comment_id: data.id, body: 'y' }),
    );
    expect(missing.status).toBe(404);
    expect(missing.data.message).toBe('Not Found');
  });

  test('a body that is missing or over 65536 characters is 422', async () => {
    const missing = await failureOf(
      sendUntyped('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: OWNER,
        repo: REPO,
        issue_number: 14,
      }),
    );
    expect(missing.status).toBe(422);
    expect(missing.data.message).toBe('Invalid request.\n\n"body" wasn\'t supplied.');
    const long = await failureOf(
      octokit.rest.issues.createComment({
        owner: OWNER,
        repo: REPO,
        issue_number: 14,
        body: 'x'.repeat(65537),
      }),
    );
    expect(long.status).toBe(422);
    expect(long.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', message: 'Body is too long (maximum is 65536 characters)' }],
    });
  });
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
