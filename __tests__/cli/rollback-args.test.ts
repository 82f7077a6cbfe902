// `stream-deploy rollback` flags, and the record it finds on the service, as data.
import { findServiceRecord, parseRollbackArgs } from '../../src/cli/rollback-args';
import { encodeRecord, RECORD_ANNOTATION, type ReleaseRecord } from '../../src/core/release-record';
import type { CloudRunService } from '../../src/core/cloud-run-types';

const OK = ['--service', 'api', '--region', 'us-central1', '--project', 'my-project'];

describe('parseRollbackArgs', () => {
  it.each<[string, string[], { service: string; region: string; project: string; json: boolean }]>([
    ['separate values', OK, { service: 'api', region: 'us-central1', project: 'my-project', json: false }],
    [
      '--flag=value and --json, any order',
      ['--json', '--project=my-project', '--region=europe-west4', '--service=stream-api-2'],
      { service: 'stream-api-2', region: 'europe-west4', project: 'my-project', json: true },
    ],
    [
      'a domain-scoped project',
      ['--service', 'api', '--region', 'us-central1', '--project', 'example.com:my-project'],
      { service: 'api', region: 'us-central1', project: 'example.com:my-project', json: false },
    ],
  ])('accepts %s', (_case, argv, args) => {
    expect(parseRollbackArgs(argv)).toEqual({ args });
  });

  it.each([[['-h']], [['--help']], [[...OK, '--help']], [['--bogus', '-h']]])(
    'returns help for %j',
    (argv) => {
      expect(parseRollbackArgs(argv)).toEqual({ help: true });
    },
  );

  it.each<[string, string[], string[]]>([
    [
      'nothing given: every required flag named at once',
      [],
      ['--service is required', '--region is required', '--project is required'],
    ],
    [
      'a flag without its value at the end',
      ['--region', 'us-central1', '--project', 'my-project', '--service'],
      ['--service needs a value'],
    ],
    [
      'a flag followed by another flag',
      ['--service', '--region', 'us-central1', '--project', 'my-project'],
      ['--service needs a value'],
    ],
    [
      'invalid values, all reported',
      ['--service', 'API_1', '--region', 'central', '--project', '123456789012'],
      [
        '--service "API_1" is not valid',
        '--region "central" is not valid',
        '--project "123456789012" is not valid',
      ],
    ],
    [
      'a service id of 50 characters (docs/platform.md "Service id": under 50)',
      ['--service', `a${'b'.repeat(49)}`, ...OK.slice(2)],
      ['--service "a'],
    ],
    [
      'a service id ending with a hyphen',
      ['--service', 'api-', ...OK.slice(2)],
      ['--service "api-" is not valid'],
    ],
    ['a flag given twice', [...OK, '--service', 'other'], ['--service is given twice']],
    ['an unknown option', [...OK, '--force'], ['unknown option "--force"']],
    ['a stray argument', [...OK, 'api'], ['unknown argument "api"']],
    ['--json with a value', [...OK, '--json=yes'], ['unknown option "--json"']],
  ])('refuses %s', (_case, argv, expected) => {
    const parsed = parseRollbackArgs(argv);
    expect('problems' in parsed).toBe(true);
    const problems = (parsed as { problems: string[] }).problems;
    expect(problems).toHaveLength(expected.length);
    expected.forEach((start, i) => expect(problems[i]).toContain(start));
  });

  it('says what is expected in each problem', () => {
    const parsed = parseRollbackArgs(['--region', 'central']) as { problems: string[] };
    expect(parsed.problems).toEqual([
      expect.stringMatching(
        /--region "central" is not valid; expected a Cloud Run region such as `us-central1`/,
      ),
      expect.stringMatching(/--service is required; expected a Cloud Run service id/),
      expect.stringMatching(/--project is required; expected a Google Cloud project id/),
    ]);
  });
});

describe('findServiceRecord', () => {
  const NAME = 'projects/p-1234/locations/us-central1/services/api';
  const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
  const record: ReleaseRecord = {
    version: 1,
    service: NAME,
    candidate: 'api-00002',
    tag: 'candidate',
    restoreTraffic: [{ type: REV, revision: 'api-00001', percent: 100 }],
    finalTraffic: [{ type: REV, revision: 'api-00002', percent: 100 }],
    stepPercents: [10, 100],
    step: 0,
    verifiedStep: -1,
    phase: 'rolling-out',
    startedAt: '2025-01-01T00:00:00.000Z',
    origin: 'acme/streams@abc run 1 attempt 1',
  };
  const service = (annotations?: Record<string, string>): CloudRunService => ({
    name: NAME,
    template: { containers: [] },
    traffic: [],
    ...(annotations && { annotations }),
  });

  it.each<[string, boolean, CloudRunService | undefined, RegExp]>([
    ['no service', false, undefined, /was not found: check --service, --region and --project/],
    ['no annotations', true, service(), /No stream-deploy release is recorded.*nothing to restore/],
    ['other annotations only', true, service({ team: 'x' }), /No stream-deploy release is recorded/],
    ['an unreadable record', false, service({ [RECORD_ANNOTATION]: '{oops' }), /unreadable.*left as it is/],
    [
      'a record naming another service',
      false,
      service({ [RECORD_ANNOTATION]: encodeRecord({ ...record, service: `${NAME}-copy` }) }),
      /names another service/,
    ],
  ])('%s: ok=%s, with a message', (_case, ok, svc, message) => {
    const found = findServiceRecord(svc, NAME);
    expect(found).toEqual({ ok, message: expect.stringMatching(message) });
  });

  it('returns the record written on the service', () => {
    expect(findServiceRecord(service({ [RECORD_ANNOTATION]: encodeRecord(record) }), NAME)).toEqual({
      record,
    });
  });
});
