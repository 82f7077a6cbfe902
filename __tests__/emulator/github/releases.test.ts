// The GitHub REST fake's releases (emulator/github/releases.ts) driven by the real `@actions/github`
// Octokit over real HTTP. Each test names the docs.github.com/rest/releases/releases behaviour it holds
// the fake to.
import { getOctokit } from '@actions/github';
import { startEmulator, type Emulator } from '../../../emulator/emulator';

const owner = 'acme';
const repo = 'streams';
let emulator: Emulator;
let octokit: ReturnType<typeof getOctokit>;

async function failureOf(p: Promise<unknown>): Promise<{ status: number; data: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; response: { data: Record<string, unknown> } };
    return { status: e.status, data: e.response.data };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  emulator = await startEmulator();
  octokit = getOctokit(emulator.endpoints.githubToken, { baseUrl: emulator.endpoints.githubApi });
});

afterAll(async () => {
  await emulator?.stop();
});

test('create answers 201 with the release; a second release for the tag is 422 already_exists', async () => {
  const created = await octokit.rest.repos.createRelease({
    owner,
    repo,
    tag_name: 'v1.0.0',
    name: 'v1.0.0',
    body: 'First.',
    make_latest: 'true',
  });
  expect(created.status).toBe(201);
  expect(created.headers.location).toBe(created.data.url);
  expect(created.data).toMatchObject({
    tag_name: 'v1.0.0',
    target_commitish: 'main',
    name: 'v1.0.0',
    body: 'First.',
    draft: false,
    prerelease: false,
    html_url: 'https://github.com/acme/streams/releases/tag/v1.0.0',
    author: { login: 'github-actions[bot]' },
    assets: [],
  });
  expect(created.data.published_at).toEqual(expect.any(String));

  const again = await failureOf(octokit.rest.repos.createRelease({ owner, repo, tag_name: 'v1.0.0' }));
  expect(again.status).toBe(422);
  expect(again.data).toMatchObject({
    message: 'Validation Failed',
    errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
  });
  expect(emulator.github.releases().filter((r) => r.tag_name === 'v1.0.0')).toHaveLength(1);
});

test('get by tag and latest; make_latest "false", drafts and prereleases leave the latest alone', async () => {
  await octokit.rest.repos.createRelease({ owner, repo, tag_name: 'v0.9.1', make_latest: 'false' });
  await octokit.rest.repos.createRelease({ owner, repo, tag_name: 'v2.0.0-rc.1', prerelease: true });
  await octokit.rest.repos.createRelease({ owner, repo, tag_name: 'v2.0.0', draft: true });
  expect((await octokit.rest.repos.getLatestRelease({ owner, repo })).data.tag_name).toBe('v1.0.0');
  expect((await octokit.rest.repos.getReleaseByTag({ owner, repo, tag: 'v0.9.1' })).data.tag_name).toBe(
    'v0.9.1',
  );
  // A draft has no tag yet: GET by tag does not find it.
  expect((await failureOf(octokit.rest.repos.getReleaseByTag({ owner, repo, tag: 'v2.0.0' }))).status).toBe(
    404,
  );
  expect((await failureOf(octokit.rest.repos.getReleaseByTag({ owner, repo, tag: 'v3.0.0' }))).status).toBe(
    404,
  );
  const listed = await octokit.rest.repos.listReleases({ owner, repo });
  expect(listed.data.map((r) => r.tag_name)).toEqual(['v2.0.0', 'v2.0.0-rc.1', 'v0.9.1', 'v1.0.0']);
});

test('the request schema: tag_name required, make_latest a string enum, booleans typed', async () => {
  // Untyped on purpose: what a buggy caller might send.
  const route: string = 'POST /repos/{owner}/{repo}/releases';
  const send = (body: Record<string, unknown>) => failureOf(octokit.request(route, { owner, repo, ...body }));
  const missing = await send({ name: 'x' });
  expect(missing.status).toBe(422);
  expect(String(missing.data.message)).toMatch(/"tag_name" wasn't supplied/);
  const latest = await send({ tag_name: 'v5.0.0', make_latest: true });
  expect(latest.status).toBe(422);
  expect(String(latest.data.message)).toMatch(/make_latest/);
  const draft = await send({ tag_name: 'v5.0.0', draft: 'yes' });
  expect(draft.status).toBe(422);
  expect(String(draft.data.message)).toMatch(/draft/);
  expect(emulator.github.releases().map((r) => r.tag_name)).not.toContain('v5.0.0');
});

test('creating needs contents: write; reading needs contents: read', async () => {
  emulator.github.setPermissions({ contents: 'read' });
  try {
    const denied = await failureOf(octokit.rest.repos.createRelease({ owner, repo, tag_name: 'v6.0.0' }));
    expect(denied.status).toBe(403);
    expect(denied.data.message).toBe('Resource not accessible by integration');
    expect((await octokit.rest.repos.listReleases({ owner, repo })).status).toBe(200);
    emulator.github.setPermissions({ deployments: 'write' });
    expect((await failureOf(octokit.rest.repos.listReleases({ owner, repo }))).status).toBe(403);
  } finally {
    emulator.github.setPermissions({
      issues: 'write',
      pull_requests: 'write',
      deployments: 'write',
      statuses: 'write',
      contents: 'write',
    });
  }
});
