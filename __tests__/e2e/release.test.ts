// The release script end to end: a temporary repository with a bare `origin`, the emulator's GitHub REST
// fake as GITHUB_API_URL, `tsx scripts/release.ts` run as the release workflow runs it. Checks the tags,
// the moved major, the reusable workflow's `uses:` at the tag, the release record, and that a second run,
// a release GitHub already has, or a push the remote refuses stop with a clear message and change nothing.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { repoRoot } from '../../emulator/repo-root';

const REPOSITORY = 'stream-deploy/stream-deploy';
const WORKFLOW = '.github/workflows/stream-deploy.yml';
const ROOT = repoRoot();
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Maintainer',
  GIT_AUTHOR_EMAIL: 'maintainer@example.test',
  GIT_COMMITTER_NAME: 'Maintainer',
  GIT_COMMITTER_EMAIL: 'maintainer@example.test',
};

let emulator: Emulator;
let dir: string;
let work: string;
let origin: string;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' }).trim();
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(work, path)), { recursive: true });
  writeFileSync(join(work, path), text);
};
/** Commits package.json and CHANGELOG.md for `version` on main and pushes main. */
const prepare = (version: string, notes: string) => {
  write('package.json', `${JSON.stringify({ name: 'stream-deploy', version }, null, 2)}\n`);
  const changelog = readFileSync(join(work, 'CHANGELOG.md'), 'utf8');
  write(
    'CHANGELOG.md',
    changelog.replace('## [Unreleased]\n', `## [Unreleased]\n\n## [${version}] - 2026-12-02\n\n${notes}\n`),
  );
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', `Prepare ${version}`);
  git(work, 'push', '-q', 'origin', 'main');
  return git(work, 'rev-parse', 'HEAD');
};
/** Runs the release script as the workflow does; async, because the GitHub fake answers in this process. */
const release = (
  version: string,
  token = emulator.endpoints.githubToken,
): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'scripts', 'release.ts'), version],
      {
        cwd: work,
        env: {
          ...process.env,
          GITHUB_REPOSITORY: REPOSITORY,
          GITHUB_API_URL: emulator.endpoints.githubApi,
          GITHUB_TOKEN: token,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
/** Tag name -> the commit it points at, on origin. */
const remoteTags = () =>
  Object.fromEntries(
    git(work, 'ls-remote', '--tags', 'origin')
      .split('\n')
      .filter((l) => l.endsWith('^{}'))
      .map((l) => {
        const [sha, ref] = l.split('\t');
        return [ref.replace(/^refs\/tags\//, '').replace(/\^\{\}$/, ''), sha];
      }),
  );

beforeAll(async () => {
  emulator = await startEmulator({ runner: { repository: REPOSITORY } });
  dir = mkdtempSync(join(tmpdir(), 'release-e2e-'));
  origin = join(dir, 'origin.git');
  work = join(dir, 'work');
  git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(dir, 'init', '-q', '-b', 'main', work);
  git(work, 'remote', 'add', 'origin', origin);
  for (const path of ['action.yml', WORKFLOW]) write(path, readFileSync(join(ROOT, path), 'utf8'));
  write('CHANGELOG.md', '# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-11-01\n\n- Older.\n');
  write('package.json', '{ "name": "stream-deploy", "version": "1.1.0" }\n');
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'v1.1.0');
  // An earlier release by hand: v1.1.0 and v1 on the first commit.
  git(work, 'tag', '-a', 'v1.1.0', '-m', 'v1.1.0');
  git(work, 'tag', '-a', 'v1', '-m', 'v1');
  git(work, 'push', '-q', 'origin', 'main', 'v1.1.0', 'v1');
});

afterAll(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('tags vX.Y.Z on a release commit whose reusable workflow calls the action at vX.Y.Z, moves vX, publishes the notes', async () => {
  const main = prepare('1.2.0', '### Added\n\n- Server-sent event replay.');
  const before = remoteTags();

  const run = await release('1.2.0');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).not.toContain(emulator.endpoints.githubToken);

  const tags = remoteTags();
  // The new tag and the moved major name the same release commit, a child of main's head off the main
  // line; the older release stays where it was and main did not move.
  expect(tags['v1.2.0']).toBeDefined();
  expect(tags.v1).toBe(tags['v1.2.0']);
  expect(tags['v1.1.0']).toBe(before['v1.1.0']);
  expect(git(work, 'ls-remote', 'origin', 'refs/heads/main').split('\t')[0]).toBe(main);
  git(work, 'fetch', '-q', '--force', '--tags', 'origin');
  expect(git(work, 'rev-parse', 'v1.2.0^{commit}^')).toBe(main);
  expect(git(work, 'diff', '--name-only', main, 'v1.2.0')).toBe(WORKFLOW);

  const atTag = git(work, 'show', `v1.2.0:${WORKFLOW}`);
  expect(atTag).toMatch(/^\s+uses: stream-deploy\/stream-deploy@v1\.2\.0$/m);
  expect(atTag).not.toMatch(/^\s+uses: stream-deploy\/stream-deploy@v1$/m);
  expect(git(work, 'show', `main:${WORKFLOW}`)).toMatch(/^\s+uses: stream-deploy\/stream-deploy@v1$/m);
  expect(git(work, 'cat-file', '-t', 'v1.2.0')).toBe('tag');

  const releases = emulator.github.releases();
  expect(releases).toHaveLength(1);
  expect(releases[0]).toMatchObject({
    tag_name: 'v1.2.0',
    name: 'v1.2.0',
    draft: false,
    prerelease: false,
    latest: true,
  });
  expect(releases[0].body).toMatch(/^### Added\n\n- Server-sent event replay\./);
  expect(releases[0].body).not.toContain('Older.');
  expect(run.stdout).toContain('https://github.com/stream-deploy/stream-deploy/releases/tag/v1.2.0');

  // The same version again: refused before anything is written.
  const again = await release('1.2.0');
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/version: v1\.2\.0 already exists on the remote/);
  expect(again.stderr).toMatch(/release the next version/);
  expect(remoteTags()).toEqual(tags);
  expect(emulator.github.releases()).toHaveLength(1);
});

test('a version GitHub already has a release for is refused before any tag is pushed', async () => {
  // Someone published v1.3.0 by hand (no tag pushed yet: GitHub would create it on its own).
  const res = await fetch(`${emulator.endpoints.githubApi}/repos/${REPOSITORY}/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.endpoints.githubToken}` },
    body: JSON.stringify({ tag_name: 'v1.3.0' }),
  });
  expect(res.status).toBe(201);
  prepare('1.3.0', '- Replay over WebSocket.');
  const before = remoteTags();
  const run = await release('1.3.0');
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/GitHub already has a release for v1\.3\.0/);
  expect(remoteTags()).toEqual(before);
});

test('a push the remote refuses for lack of the Workflows permission pushes neither tag and says which token to use', async () => {
  prepare('1.4.0', '- gRPC reflection.');
  // GitHub's answer to a GITHUB_TOKEN push of a commit that changes a workflow file.
  const hook = join(origin, 'hooks', 'pre-receive');
  writeFileSync(
    hook,
    '#!/bin/sh\necho "refusing to allow a GitHub App to create or update workflow \\`.github/workflows/stream-deploy.yml\\` without \\`workflows\\` permission" >&2\nexit 1\n',
  );
  chmodSync(hook, 0o755);
  try {
    const before = remoteTags();
    const run = await release('1.4.0');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/push of v1\.4\.0 and v1 to origin failed/);
    expect(run.stderr).toMatch(
      /needs a token with the Workflows permission, which GITHUB_TOKEN can never have/,
    );
    expect(remoteTags()).toEqual(before);
    expect(emulator.github.releases().map((r) => r.tag_name)).not.toContain('v1.4.0');
  } finally {
    rmSync(hook);
  }
});

test('a wrong token stops the release before anything is pushed, and is never printed', async () => {
  const wrong = 'ghs_wrongwrongwrongwrongwrong';
  const before = remoteTags();
  const run = await release('1.4.0', wrong);
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/answered 401 \(Bad credentials\): the token is not valid/);
  expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
  expect(remoteTags()).toEqual(before);
});
