// The release plan (scripts/release/plan.ts): version rules, CHANGELOG sections, the `uses:` rewrite and
// the Marketplace description limit, from case tables; then the repository's own files, which the
// release workflow will feed to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../emulator/repo-root';
import {
  MAX_DESCRIPTION,
  REUSABLE_WORKFLOW,
  actionMetadataProblems,
  changelogSection,
  compareVersions,
  latestReleaseTag,
  parseVersion,
  planRelease,
  rewriteActionRef,
  type ReleaseFacts,
} from '../../scripts/release/plan';

const ROOT = repoRoot();
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('parseVersion', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    [' 0.1.0 ', '0.1.0'],
    ['10.20.30', '10.20.30'],
  ])('accepts %j as %s', (raw, text) => {
    expect(parseVersion(raw)?.text).toBe(text);
  });

  it.each(['1.2', '1.2.3.4', '01.2.3', '1.02.3', 'v1', '1.2.3-rc.1', '1.2.3+build', 'V1.2.3', '', 'latest'])(
    'refuses %j',
    (raw) => {
      expect(parseVersion(raw)).toBeUndefined();
    },
  );

  it('orders by major, minor, patch as numbers', () => {
    const v = (s: string) => parseVersion(s)!;
    expect(compareVersions(v('1.10.0'), v('1.9.9'))).toBeGreaterThan(0);
    expect(compareVersions(v('2.0.0'), v('1.99.99'))).toBeGreaterThan(0);
    expect(compareVersions(v('1.2.3'), v('1.2.3'))).toBe(0);
    expect(compareVersions(v('0.9.1'), v('0.10.0'))).toBeLessThan(0);
  });
});

describe('latestReleaseTag', () => {
  it.each<[string[], string | undefined]>([
    [[], undefined],
    [['v1', 'latest'], undefined],
    [['v1.2.0', 'v1.10.0', 'v1.9.3', 'v1'], 'v1.10.0'],
    [['v2.0.0-rc.1', 'v1.4.0'], 'v1.4.0'],
    [['1.9.0', 'v1.0.0'], 'v1.0.0'],
  ])('%j -> %s', (tags, latest) => {
    expect(latestReleaseTag(tags)?.tag).toBe(latest);
  });
});

describe('changelogSection', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '- next thing',
    '',
    '## [1.2.0] - 2026-12-01',
    '',
    '### Added',
    '',
    '- streams',
    '',
    '## 1.1.0',
    '',
    '- older',
    '',
    '## [1.0.0] - 2026-01-01',
    '',
    '[Unreleased]: https://example.test/compare',
    '[1.2.0]: https://example.test/1.2.0',
    '',
  ].join('\n');

  it.each<[string, string | undefined]>([
    ['1.2.0', '### Added\n\n- streams'],
    ['1.1.0', '- older'],
    ['1.0.0', ''],
    ['1.2', undefined],
    ['1.3.0', undefined],
    ['11.2.0', undefined],
  ])('section %s', (version, text) => {
    expect(changelogSection(changelog, version)).toBe(text);
  });
});

describe('rewriteActionRef', () => {
  it.each<[string, string, number]>([
    ['      uses: stream-deploy/stream-deploy@v1', '      uses: stream-deploy/stream-deploy@v1.2.3', 1],
    [
      '    - uses: stream-deploy/stream-deploy@main # moves',
      '    - uses: stream-deploy/stream-deploy@v1.2.3 # moves',
      1,
    ],
    ["      uses: 'Stream-Deploy/stream-deploy@v1'", "      uses: 'Stream-Deploy/stream-deploy@v1.2.3'", 1],
    // A workflow path under the repository, another repository, a comment: left alone.
    [
      '      uses: stream-deploy/stream-deploy/.github/workflows/stream-deploy.yml@v1',
      '      uses: stream-deploy/stream-deploy/.github/workflows/stream-deploy.yml@v1',
      0,
    ],
    ['      uses: stream-deploy/stream-deployer@v1', '      uses: stream-deploy/stream-deployer@v1', 0],
    ['#     uses: stream-deploy/stream-deploy@v1', '#     uses: stream-deploy/stream-deploy@v1', 0],
  ])('%s', (line, expected, count) => {
    expect(rewriteActionRef(line, 'stream-deploy/stream-deploy', 'v1.2.3')).toEqual({
      text: expected,
      count,
    });
  });
});

describe('actionMetadataProblems', () => {
  const meta = (description: string) => `name: x\ndescription: ${JSON.stringify(description)}\n`;
  it.each<[string, RegExp | undefined]>([
    ['a'.repeat(MAX_DESCRIPTION), undefined],
    ['a'.repeat(MAX_DESCRIPTION + 1), /125 characters; the Marketplace wants fewer than 125/],
    ['', /missing/],
  ])('description of %#', (description, problem) => {
    const problems = actionMetadataProblems(meta(description));
    if (problem) expect(problems.join('\n')).toMatch(problem);
    else expect(problems).toEqual([]);
  });

  it('says when action.yml is not YAML', () => {
    expect(actionMetadataProblems('name: [x')[0]).toMatch(/not valid YAML/);
  });
});

describe('planRelease', () => {
  const facts = (over: Partial<ReleaseFacts> = {}): ReleaseFacts => ({
    requested: '1.2.0',
    repository: 'stream-deploy/stream-deploy',
    packageJson: JSON.stringify({ name: 'stream-deploy', version: '1.2.0' }),
    changelog: '# Changelog\n\n## [1.2.0] - 2026-12-01\n\n- streams\n\n## [1.1.0] - 2026-11-01\n\n- older\n',
    actionYml: 'name: stream-deploy\ndescription: Ship streams.\n',
    reusableWorkflow: 'jobs:\n  deploy:\n    steps:\n      - uses: stream-deploy/stream-deploy@v1\n',
    remoteTags: ['v1.1.0', 'v1'],
    ...over,
  });

  it('plans the tags, the rewritten workflow and the release request', () => {
    const result = planRelease(facts());
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const { plan } = result;
    expect(plan).toMatchObject({ tag: 'v1.2.0', majorTag: 'v1', previousTag: 'v1.1.0', rewrittenUses: 1 });
    expect(plan.reusableWorkflow).toContain('- uses: stream-deploy/stream-deploy@v1.2.0\n');
    expect(plan.releaseRequest).toMatchObject({
      tag_name: 'v1.2.0',
      name: 'v1.2.0',
      draft: false,
      prerelease: false,
      make_latest: 'true',
    });
    expect(plan.releaseRequest.body).toMatch(/^- streams\n/);
    expect(plan.releaseRequest.body).not.toContain('older');
  });

  it('plans a first release and a new major', () => {
    const first = planRelease(facts({ remoteTags: [] }));
    expect(first.ok && first.plan.previousTag).toBeUndefined();
    const major = planRelease(
      facts({
        requested: 'v2.0.0',
        packageJson: '{"version":"2.0.0"}',
        changelog: '## [2.0.0] - 2027-01-01\n\n- breaking\n',
        reusableWorkflow: 'jobs:\n  deploy:\n    steps:\n      - uses: stream-deploy/stream-deploy@v2\n',
      }),
    );
    expect(major.ok && [major.plan.tag, major.plan.majorTag]).toEqual(['v2.0.0', 'v2']);
  });

  it('refuses a major the reusable workflow (and so the docs) do not call', () => {
    const result = planRelease(
      facts({
        requested: '2.0.0',
        packageJson: '{"version":"2.0.0"}',
        changelog: '## [2.0.0] - 2027-01-01\n\n- breaking\n',
      }),
    );
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^version: 2\.0\.0 would move v2, but .* call `stream-deploy\/stream-deploy@v1`/),
    ]);
  });

  it('lists every problem at once, each naming what to fix', () => {
    const result = planRelease(
      facts({
        requested: '1.0.5',
        repository: 'not a repo',
        packageJson: '{"version":"1.0.4"}',
        changelog: '## [Unreleased]\n',
        actionYml: `description: ${'x'.repeat(130)}\n`,
        reusableWorkflow: 'steps:\n  - uses: ./\n',
      }),
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/GITHUB_REPOSITORY: .*OWNER\/REPO/);
    expect(problems.join('\n')).toMatch(/not greater than the last release v1\.1\.0/);
    expect(problems.join('\n')).toMatch(/package\.json: version is "1\.0\.4", not "1\.0\.5"/);
    expect(problems.join('\n')).toMatch(/CHANGELOG\.md: no section for 1\.0\.5/);
    expect(problems.join('\n')).toMatch(/130 characters/);
    expect(problems.join('\n')).toMatch(/no step says `uses: not a repo@REF`/);
  });

  it.each<[Partial<ReleaseFacts>, RegExp]>([
    [{ remoteTags: ['v1.2.0', 'v1'] }, /v1\.2\.0 already exists on the remote/],
    [{ requested: '1.2.0-rc.1' }, /not a release version; expected MAJOR\.MINOR\.PATCH/],
    [{ changelog: '## [1.2.0] - 2026-12-01\n\n## [1.1.0]\n' }, /section for 1\.2\.0 is empty/],
    [{ packageJson: 'not json' }, /package\.json: version is null/],
  ])('refuses %#', (over, problem) => {
    const result = planRelease(facts(over));
    expect(result.ok ? '' : result.problems.join('\n')).toMatch(problem);
  });
});

describe("the repository's own release inputs", () => {
  it('action.yml has a Marketplace description and writes out post-if: always()', () => {
    const actionYml = read('action.yml');
    expect(actionMetadataProblems(actionYml)).toEqual([]);
    expect(actionYml).toMatch(/^ {2}post-if: always\(\)$/m);
  });

  it('the reusable workflow calls the action by repository name, so a release can pin it', () => {
    const { text, count } = rewriteActionRef(
      read(REUSABLE_WORKFLOW),
      'stream-deploy/stream-deploy',
      'v9.9.9',
    );
    expect(count).toBeGreaterThanOrEqual(1);
    expect(text).toContain('uses: stream-deploy/stream-deploy@v9.9.9');
  });

  it("CHANGELOG.md has an Unreleased section and one for package.json's version", () => {
    const changelog = read('CHANGELOG.md');
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(changelogSection(changelog, 'Unreleased')).toMatch(/\S/);
    expect(changelogSection(changelog, version)).toMatch(/\S/);
  });
});
