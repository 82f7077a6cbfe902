// The GitHub adapter against the emulator's GitHub REST fake over real HTTP, through the real Octokit:
// the sticky comment is found by marker AND author (the token's own identity, docs/platform.md
// "Token identity"), and the deployment carries the payload contract the cleanup mode reads.
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { createGitHub, ownComment, type GitHubTarget } from '../../src/adapters/github';

const SHA = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';
const MARKER = '<!-- stream-deploy:report p/us-central1/api -->';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 4000 });
});

afterAll(async () => {
  await emulator?.stop();
});

const target = (extra: Partial<GitHubTarget> = {}): GitHubTarget => ({
  token: emulator.endpoints.githubToken,
  apiUrl: emulator.endpoints.githubApi,
  repository: 'acme/streams',
  sha: SHA,
  pullRequest: 81,
  environment: 'api (us-central1)',
  transient: false,
  context: 'stream-deploy/api (us-central1)',
  payload: {
    stream_deploy: { project: 'p', service: 'api', region: 'us-central1', tag: 'pr-81', pull_request: 81 },
  },
  ...extra,
});

/** The target's payload with a run named (what the action sends on a runner). */
const payload = (run: Record<string, string>) => ({
  stream_deploy: {
    project: 'p',
    service: 'api',
    region: 'us-central1',
    tag: 'pr-81',
    pull_request: 81,
    ...run,
  },
});

const since = (n: number) => emulator.github.requests.slice(n).map((r) => `${r.method} ${r.path}`);

test.each([
  ['the marker and the author', [{ id: 1, body: `x ${MARKER}`, user: { login: 'bot[bot]' } }], 'bot[bot]', 1],
  [
    'the marker by someone else',
    [{ id: 1, body: MARKER, user: { login: 'mallory' } }],
    'bot[bot]',
    undefined,
  ],
  [
    'the author without the marker',
    [{ id: 1, body: 'hello', user: { login: 'bot[bot]' } }],
    'bot[bot]',
    undefined,
  ],
  [
    "someone else's first, then ours",
    [
      { id: 1, body: MARKER, user: { login: 'mallory' } },
      { id: 2, body: MARKER, user: { login: 'bot[bot]' } },
    ],
    'bot[bot]',
    2,
  ],
  ['a deleted (null) user', [{ id: 1, body: MARKER, user: null }], 'bot[bot]', undefined],
] as const)('ownComment: %s', (_name, comments, login, expected) => {
  expect(ownComment(comments, MARKER, login)).toBe(expected);
});

test("with the job token, a human's comment that carries the marker is never edited; the next run edits the bot's own comment, asking GraphQL viewer who it is", async () => {
  const planted = emulator.github.seedComment(81, `${MARKER}\nplanted by a human`, 'mallory');
  const first = await createGitHub(target()).upsertComment(MARKER, `${MARKER}\nrun 1`);
  expect(first).toBe('created');
  const before = emulator.github.requests.length;
  const second = await createGitHub(target()).upsertComment(MARKER, `${MARKER}\nrun 2`);
  expect(second).toBe('updated');
  const comments = emulator.github.comments(81);
  expect(comments.find((c) => c.id === planted)?.body).toBe(`${MARKER}\nplanted by a human`);
  expect(comments.filter((c) => c.user.login === 'github-actions[bot]').map((c) => c.body)).toEqual([
    `${MARKER}\nrun 2`,
  ]);
  // One identity question (GraphQL; GET /user is refused for an installation token), no more.
  expect(since(before).filter((r) => r.startsWith('POST /graphql') || r.startsWith('GET /user'))).toEqual([
    'POST /graphql',
  ]);
});

test('when GraphQL fails, GET /user is asked; refused (an installation token), the author is github-actions[bot]', async () => {
  await createGitHub(target({ pullRequest: 82 })).upsertComment(MARKER, `${MARKER}\nrun 1`);
  emulator.github.failNext('graphql', 1, 502);
  const before = emulator.github.requests.length;
  expect(await createGitHub(target({ pullRequest: 82 })).upsertComment(MARKER, `${MARKER}\nrun 2`)).toBe(
    'updated',
  );
  expect(since(before)).toEqual(
    expect.arrayContaining([
      'POST /graphql',
      'GET /user',
      'PATCH /repos/acme/streams/issues/comments/' + emulator.github.comments(82)[0].id,
    ]),
  );
  expect(emulator.github.comments(82).map((c) => c.body)).toEqual([`${MARKER}\nrun 2`]);
});

test("with a personal access token the author is its user: the bot's comment is left alone and the PAT's own is edited next time", async () => {
  emulator.github.addToken('ghp_carolcarolcarolcarol0000', { login: 'carol', type: 'User' });
  await createGitHub(target({ pullRequest: 83 })).upsertComment(MARKER, `${MARKER}\nby the job token`);
  const pat = target({ pullRequest: 83, token: 'ghp_carolcarolcarolcarol0000' });
  expect(await createGitHub(pat).upsertComment(MARKER, `${MARKER}\ncarol 1`)).toBe('created');
  expect(await createGitHub(pat).upsertComment(MARKER, `${MARKER}\ncarol 2`)).toBe('updated');
  expect(emulator.github.comments(83).map((c) => [c.user.login, c.body])).toEqual([
    ['github-actions[bot]', `${MARKER}\nby the job token`],
    ['carol', `${MARKER}\ncarol 2`],
  ]);
});

test("on a commit (no pull request) the same rule holds for commit comments; another App's token is its slug[bot]", async () => {
  emulator.github.addToken('ghs_deployappdeployappdeploy0', { login: 'deploy-app[bot]', type: 'Bot' });
  const sha = '1111111111111111111111111111111111111111';
  await createGitHub(target({ pullRequest: undefined, sha })).upsertComment(MARKER, `${MARKER}\njob token`);
  const app = target({ pullRequest: undefined, sha, token: 'ghs_deployappdeployappdeploy0' });
  expect(await createGitHub(app).upsertComment(MARKER, `${MARKER}\napp 1`)).toBe('created');
  expect(await createGitHub(app).upsertComment(MARKER, `${MARKER}\napp 2`)).toBe('updated');
  expect(emulator.github.commitComments(sha).map((c) => [c.user.login, c.body])).toEqual([
    ['github-actions[bot]', `${MARKER}\njob token`],
    ['deploy-app[bot]', `${MARKER}\napp 2`],
  ]);
});

test('the deployment is created once on the given commit with the payload contract; statuses follow; the commit status goes to the same commit', async () => {
  const sha = '2222222222222222222222222222222222222222';
  const gh = createGitHub(target({ sha, environment: 'preview: api (us-central1)', transient: true }));
  await gh.deploymentStatus('in_progress', 'Planned', undefined);
  await gh.deploymentStatus('success', 'Candidate ready', 'https://pr-81---api-x.a.run.app');
  await gh.commitStatus('success', 'Candidate ready');
  const mine = emulator.github.deployments().filter((d) => d.sha === sha);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({
    ref: sha,
    environment: 'preview: api (us-central1)',
    payload: { stream_deploy: { service: 'api', region: 'us-central1', tag: 'pr-81', pull_request: 81 } },
  });
  expect(mine[0].statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
  expect(emulator.github.commitStatuses(sha)).toEqual([
    expect.objectContaining({ state: 'success', context: 'stream-deploy/api (us-central1)' }),
  ]);
});

test("the post step finds the deployment main created but could not hand over (cancelled between GitHub's answer and saving the id): statuses go to it, no second deployment", async () => {
  const sha = '3333333333333333333333333333333333333333';
  const run = { run_id: '9001', run_attempt: '1' };
  // Another run's and this run's earlier attempt's deployments on the same commit and environment.
  await createGitHub(
    target({ sha, payload: payload({ run_id: '9000', run_attempt: '1' }) }),
  ).deploymentStatus('success', 'Promoted');
  await createGitHub(target({ sha, payload: payload({ ...run, run_attempt: '0' }) })).deploymentStatus(
    'failure',
    'Failed',
  );
  const main = createGitHub(target({ sha, payload: payload(run) }));
  await main.deploymentStatus('in_progress', 'Deploying');
  // The post step, with no deployment id from main.
  const from = emulator.github.requests.length;
  const post = createGitHub(target({ sha, payload: payload(run), findOwnDeployment: true }));
  await post.deploymentStatus('failure', 'Rolled back');
  expect(post.deploymentId?.()).toBe(main.deploymentId?.());
  expect(since(from)).toEqual([
    `GET /repos/acme/streams/deployments`,
    `POST /repos/acme/streams/deployments/${main.deploymentId?.()}/statuses`,
  ]);
  const mine = emulator.github.deployments().filter((d) => d.sha === sha);
  expect(mine.map((d) => d.statuses.map((s) => s.state))).toEqual([
    ['success'],
    ['failure'],
    ['in_progress', 'failure'],
  ]);
});

test('the post step creates the deployment when this run has none yet (or the payload names no run)', async () => {
  const sha = '4444444444444444444444444444444444444444';
  const other = createGitHub(target({ sha }));
  await other.deploymentStatus('success', 'Promoted');
  // No run in the payload: nothing is surely this run's, so no lookup and a new deployment.
  const from = emulator.github.requests.length;
  const post = createGitHub(target({ sha, findOwnDeployment: true }));
  await post.deploymentStatus('failure', 'Rolled back');
  expect(since(from)).toEqual([`POST /repos/acme/streams/deployments`, expect.stringMatching(/statuses$/)]);
  // With a run: looked up, none found, created.
  const run = createGitHub(
    target({ sha, findOwnDeployment: true, payload: payload({ run_id: '77', run_attempt: '1' }) }),
  );
  await run.deploymentStatus('failure', 'Rolled back');
  expect(emulator.github.deployments().filter((d) => d.sha === sha)).toHaveLength(3);
  expect(new Set([other.deploymentId?.(), post.deploymentId?.(), run.deploymentId?.()]).size).toBe(3);
});

test("when the post step cannot list deployments, it still reports: it creates one rather than leave main's in progress", async () => {
  const sha = '5555555555555555555555555555555555555555';
  emulator.github.failNext('repos.listDeployments', 1, 500);
  const from = emulator.github.requests.length;
  const post = createGitHub(
    target({ sha, findOwnDeployment: true, payload: payload({ run_id: '78', run_attempt: '1' }) }),
  );
  await post.deploymentStatus('failure', 'Rolled back');
  expect(since(from).map((c) => c.replace(/\d+/g, 'N'))).toEqual([
    'GET /repos/acme/streams/deployments',
    'POST /repos/acme/streams/deployments',
    'POST /repos/acme/streams/deployments/N/statuses',
  ]);
  expect(emulator.github.deployments().filter((d) => d.sha === sha)).toHaveLength(1);
});
