import { parseCleanupArgs } from '../../src/cli/cleanup-args';

const BASE = ['--service', 'api', '--region', 'us-central1', '--project', 'my-project'];

test.each<[string, string[], Record<string, unknown>]>([
  ['--pr gives the release default tag pr-N', ['--pr', '12'], { tag: 'pr-12', pullRequest: 12 }],
  ['--tag overrides it', ['--pr', '12', '--tag', 'preview-12'], { tag: 'preview-12', pullRequest: 12 }],
  ['--tag alone (no deployments to match)', ['--tag=canary'], { tag: 'canary' }],
  [
    '--repo and --json',
    ['--pr', '3', '--repo', 'acme/streams', '--json'],
    { repo: 'acme/streams', json: true },
  ],
])('%s', (_name, extra, expected) => {
  const parsed = parseCleanupArgs([...BASE, ...extra]);
  expect(parsed).toHaveProperty('args');
  expect((parsed as { args: object }).args).toMatchObject(expected);
});

test('the default tag is shortened beside a long service name, as the release shortens it', () => {
  const long = 'a'.repeat(42);
  const parsed = parseCleanupArgs([
    '--service',
    long,
    '--region',
    'us-central1',
    '--project',
    'my-project',
    '--pr',
    '12',
  ]);
  expect((parsed as { args: { tag: string } }).args.tag).toBe('pr12');
});

test('every problem at once', () => {
  expect(parseCleanupArgs(['--service', 'API', '--pr', 'x', '--bogus'])).toEqual({
    problems: [
      '--service "API" is not valid; expected a Cloud Run service id such as `api` (lowercase letters, digits, hyphens, starting with a letter)',
      '--pr "x" is not valid; expected a pull request number such as `12`',
      'unknown option "--bogus"',
      '--region is required; expected a Cloud Run region such as `us-central1`',
      '--project is required; expected a Google Cloud project id such as `my-project` (not the project number)',
    ],
  });
  expect(parseCleanupArgs(BASE)).toEqual({
    problems: ['--pr or --tag is required: which preview to remove'],
  });
  expect(parseCleanupArgs(['--help'])).toEqual({ help: true });
});
