import type { RunContext } from '../../src/core/config';
import { PULL_REQUEST, PUSH, SHA, inputsWithProblems, parse, problemsOf, svc } from './fixtures';

describe('parseInputs: tag (docs/platform.md "Tag")', () => {
  it.each([
    ['pull request', PULL_REQUEST, 'api', 'pr-42'],
    ['push', PUSH, 'api', 'sha-abcdef0'],
    ['workflow_dispatch', { ...PUSH, eventName: 'workflow_dispatch' }, 'api', 'sha-abcdef0'],
    ['uppercase sha', { ...PUSH, sha: SHA.toUpperCase() }, 'api', 'sha-abcdef0'],
    // 46 - 41 = 5 = "pr-42".length: fits exactly.
    ['pull request, 41-char service', PULL_REQUEST, svc(41), 'pr-42'],
    ['pull request, 42-char service', PULL_REQUEST, svc(42), 'pr42'],
    ['pull request, 43-char service', PULL_REQUEST, svc(43), 'p42'],
    ['push, 35-char service', PUSH, svc(35), 'sha-abcdef0'],
    ['push, 36-char service', PUSH, svc(36), 'sabcdef0'],
    ['push, 40-char service', PUSH, svc(40), 'sabcde'],
    ['push, 41-char service', PUSH, svc(41), 'sabcd'],
  ] as [string, RunContext, string, string][])('default on %s is %s', (_, context, service, tag) => {
    expect(parse({ service, revision_suffix: 'v1' }, context).tag).toBe(tag);
  });

  it.each([
    ['pull request, 44-char service', PULL_REQUEST, svc(44), 'service `' + svc(44) + '` leaves 2 characters'],
    ['push, 42-char service', PUSH, svc(42), 'leaves 4 characters'],
    ['push, 46-char service', PUSH, svc(46), 'leaves 0 characters'],
    ['push without a sha', { ...PUSH, sha: '' }, 'api', 'has no default: the run has no commit SHA'],
  ] as [string, RunContext, string, string][])('no default on %s', (_, context, service, message) => {
    expect(problemsOf({ service, revision_suffix: 'v1' }, context)).toEqual([
      { input: 'tag', message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ['canary', 'api', true],
    ['v2', 'api', true],
    ['pr-7', 'api', true],
    [`t${'x'.repeat(42)}`, 'api', true], // 43 + 3 = 46
    [`t${'x'.repeat(43)}`, 'api', false], // 44 + 3 = 47
    ['2fast', 'api', false],
    ['Canary', 'api', false],
    ['can_ary', 'api', false],
    ['canary-', 'api', false],
    ['-canary', 'api', false],
  ])('tag %j with service %j valid: %s', (tag, service, valid) => {
    expect(inputsWithProblems({ tag, service })).toEqual(valid ? [] : ['tag']);
  });

  it('says how long the tag may be when tag + service is too long', () => {
    expect(problemsOf({ tag: 'x'.repeat(44), service: 'api' })).toEqual([
      {
        input: 'tag',
        message: `"${'x'.repeat(44)}" with service \`api\` is 47 characters; Cloud Run allows tag + service at most 46; expected a tag of at most 43 characters`,
      },
    ]);
  });
});

describe('parseInputs: revision_suffix (docs/platform.md "Revision names")', () => {
  it('defaults to <sha7>-<run id in base 36>-<run attempt>', () => {
    expect(parse({}, { ...PUSH, runId: '35', runAttempt: '1' }).revisionSuffix).toBe('abcdef0-z-1');
    expect(parse({}, { ...PUSH, runId: '36', runAttempt: '10' }).revisionSuffix).toBe('abcdef0-10-10');
  });

  // With run attempt 10 the default suffix is 18 characters: a 44-char service makes 44 + 1 + 18 = 63.
  it.each([
    [44, true],
    [45, false],
  ])('default with a %d-char service fits: %s', (length, fits) => {
    const problems = problemsOf({ service: svc(length), tag: 't' }, { ...PUSH, runAttempt: '10' });
    if (fits) expect(problems).toEqual([]);
    else
      expect(problems).toEqual([
        {
          input: 'revision_suffix',
          message: expect.stringMatching(
            /^the default "abcdef0-4jc8lii-10" makes revision `a{45}-abcdef0-4jc8lii-10` 64 characters; Cloud Run allows at most 63; expected `revision_suffix` set to at most 17 characters/,
          ),
        },
      ]);
  });

  it('has no default without a sha or run id', () => {
    expect(inputsWithProblems({ tag: 't' }, { ...PUSH, sha: '' })).toEqual(['revision_suffix']);
    expect(inputsWithProblems({ tag: 't' }, { ...PUSH, runId: '' })).toEqual(['revision_suffix']);
  });

  it.each([
    ['v42', 'api', true],
    ['00042-abc', 'api', true],
    ['x'.repeat(59), 'api', true], // 3 + 1 + 59 = 63
    ['x'.repeat(60), 'api', false], // 64
    ['V42', 'api', false],
    ['v42-', 'api', false],
    ['v_42', 'api', false],
    ['v.42', 'api', false],
  ])('suffix %j with service %j valid: %s', (revision_suffix, service, valid) => {
    expect(inputsWithProblems({ revision_suffix, service })).toEqual(valid ? [] : ['revision_suffix']);
  });
});

describe('parseInputs: from deploy-cloudrun (docs/migrating.md)', () => {
  it('reads `suffix` as revision_suffix, with a deprecation warning', () => {
    const config = parse({ suffix: 'v7' });
    expect(config.revisionSuffix).toBe('v7');
    expect(config.inputWarnings).toEqual([
      expect.stringMatching(/^`suffix`: is deprecated .*`revision_suffix`/),
    ]);
    expect(parse({ suffix: 'v7', revision_suffix: 'v7' }).revisionSuffix).toBe('v7');
  });

  it('refuses `suffix` and `revision_suffix` that differ', () => {
    expect(problemsOf({ suffix: 'v7', revision_suffix: 'v8' })).toEqual([
      { input: 'suffix', message: expect.stringContaining('"v7" differs from `revision_suffix` "v8"') },
    ]);
  });
});
