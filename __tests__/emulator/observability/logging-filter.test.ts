// The Logging fake's filter parser (emulator/observability/logging.ts): the subset of the Logging query
// language it serves, with Logging's precedence (NOT, then OR, then AND) and 400 for what it cannot parse.
import { parseLoggingFilter } from '../../../emulator/observability/logging';

type Entry = Parameters<ReturnType<typeof parseLoggingFilter>>[0];

const SYSTEM = 'projects/p/logs/run.googleapis.com%2Fvarlog%2Fsystem';

function entry(severity: string, extra: { status?: number; logName?: string; text?: string } = {}): Entry {
  return {
    at: Date.parse('2024-05-01T12:00:00Z'),
    received: 0,
    severity,
    status: extra.status,
    json: {
      logName: extra.logName ?? 'projects/p/logs/run.googleapis.com%2Fstdout',
      resource: { type: 'cloud_run_revision', labels: { service_name: 'svc', revision_name: 'svc-1' } },
      ...(extra.text ? { textPayload: extra.text } : {}),
      ...(extra.status ? { httpRequest: { status: extra.status } } : {}),
    },
  };
}

const info = entry('INFO');
const error = entry('ERROR');
const failed = entry('INFO', { status: 503 });
const systemWarning = entry('WARNING', { logName: SYSTEM, text: 'Container called exit(1).' });
const appWarning = entry('WARNING');

const matches = (filter: string, ...entries: Entry[]): boolean[] => {
  const clause = parseLoggingFilter(filter);
  return entries.map((e) => clause(e));
};

describe('parseLoggingFilter', () => {
  test('an empty filter matches everything; AND, and juxtaposition as AND', () => {
    expect(matches('  ', info, error)).toEqual([true, true]);
    expect(matches('resource.type="cloud_run_revision" AND severity>=ERROR', info, error)).toEqual([
      false,
      true,
    ]);
    expect(matches('resource.type="cloud_run_revision" severity>=ERROR', info, error)).toEqual([false, true]);
  });

  test('OR, nested parentheses: the adapter’s problem filter', () => {
    const filter = [
      'resource.type="cloud_run_revision"',
      'resource.labels.service_name="svc"',
      `(severity>=ERROR OR httpRequest.status>=500 OR (logName="${SYSTEM}" AND severity>=WARNING))`,
    ].join(' AND ');
    expect(matches(filter, info, error, failed, systemWarning, appWarning)).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });

  test('NOT and `-`; an absent field makes its comparison false, so NOT of it true', () => {
    expect(matches('NOT severity>=ERROR', info, error)).toEqual([true, false]);
    expect(matches('-severity>=ERROR', info, error)).toEqual([true, false]);
    expect(matches('NOT (severity>=ERROR OR httpRequest.status>=500)', info, error, failed)).toEqual([
      true,
      false,
      false,
    ]);
    expect(matches('NOT httpRequest.status>=500', info, failed)).toEqual([true, false]);
    expect(matches('-(severity=INFO) textPayload:"exit"', info, systemWarning)).toEqual([false, true]);
  });

  test('NOT binds tightest, then OR, then AND (Logging’s order, not SQL’s)', () => {
    // a OR NOT b AND NOT c OR d  ==  (a OR (NOT b)) AND ((NOT c) OR d)
    const filter = 'severity=ERROR OR NOT severity=INFO AND NOT severity=ERROR OR severity=WARNING';
    // SQL's order would read it as a OR ((NOT b) AND (NOT c)) OR d, which matches ERROR.
    expect(matches(filter, error, info, appWarning)).toEqual([false, false, true]);
  });

  test('what cannot be parsed is 400 INVALID_ARGUMENT', () => {
    for (const bad of [
      'severity >= (',
      '(severity>=ERROR',
      'severity>=ERROR)',
      'severity>=ERROR OR',
      'severity>=ERROR AND',
      'NOT',
      '()',
      'severity>=ERROR and httpRequest.status>=500',
    ]) {
      expect(() => parseLoggingFilter(bad)).toThrow(/^Unparseable filter/);
    }
  });
});
