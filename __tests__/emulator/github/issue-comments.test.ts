// The GitHub REST fake's issue comments (emulator/github/issue-comments.ts) driven by the real
// `@actions/github` Octokit over real HTTP; each test names the docs.github.com/rest behaviour it holds.
import { getOctokit } from '@actions/github';
import { startEmulator, type Emulator } from '../../../emulator/emulator';
import { MARKER, OWNER, REPO, failureOf } from './harness';

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
