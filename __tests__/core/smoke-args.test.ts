import { parseDuration, parseSmokeArgs } from '../../src/core/smoke-args';

test.each([
  ['500ms', 500],
  ['10s', 10_000],
  ['2m', 120_000],
  ['3', 3000],
  ['1.5s', 1500],
  ['10 s', undefined],
  ['ten', undefined],
  ['-1s', undefined],
])('parseDuration(%j) = %j', (text, ms) => {
  expect(parseDuration(text)).toBe(ms);
});

test('defaults for sse: /events, health /healthz, 10 s, 3 events, 5 s first event and gap, 1 connection, reconnect', () => {
  expect(parseSmokeArgs(['--url', 'https://api-abc.a.run.app'])).toEqual({
    args: {
      url: 'https://api-abc.a.run.app',
      json: false,
      criteria: {
        protocol: 'sse',
        path: '/events',
        healthPath: '/healthz',
        healthTimeoutMs: 60_000,
        durationMs: 10_000,
        firstEventTimeoutMs: 5000,
        minEvents: 3,
        maxGapMs: 5000,
        connections: 1,
        checkReconnect: true,
      },
    },
  });
});

test('every flag, with = and separate values; a URL path names the stream', () => {
  const parsed = parseSmokeArgs([
    '--url=http://127.0.0.1:8080/live?x=1',
    '--protocol',
    'websocket',
    '--duration',
    '500ms',
    '--min-events=2',
    '--first-event-timeout',
    '2s',
    '--max-gap',
    '1m',
    '--connections',
    '20',
    '--send',
    'hello, world',
    '--expect',
    '/^echo:hello/',
    '--health-path',
    'none',
    '--no-reconnect',
    '--id-token-audience',
    'https://api-abc.a.run.app',
    '--json',
  ]);
  expect(parsed).toEqual({
    args: {
      url: 'http://127.0.0.1:8080',
      json: true,
      idTokenAudience: 'https://api-abc.a.run.app',
      criteria: {
        protocol: 'websocket',
        path: '/live?x=1',
        healthPath: '',
        healthTimeoutMs: 60_000,
        durationMs: 500,
        firstEventTimeoutMs: 2000,
        minEvents: 2,
        maxGapMs: 60_000,
        connections: 20,
        checkReconnect: false,
        send: 'hello, world',
        expect: '/^echo:hello/',
      },
    },
  });
});

test('--help wins', () => {
  expect(parseSmokeArgs(['--url', 'x', '--help'])).toEqual({ help: true });
});

test('every usage problem at once', () => {
  const parsed = parseSmokeArgs([
    '--protocol',
    'grpc',
    '--duration',
    'forever',
    '--connections',
    '5000',
    '--send',
    'x',
    '--bogus',
    '--path',
  ]);
  expect(parsed).toEqual({
    problems: [
      'unknown option "--bogus"',
      '--path needs a value',
      '--url is required',
      '--protocol must be sse, websocket or http (got "grpc")',
      '--duration "forever" must be a duration from 100ms to 3600s, such as 500ms, 10s or 2m',
      '--connections "5000" must be a whole number from 1 to 1000',
      '--send and --expect need --protocol websocket',
    ],
  });
});

test('a URL that is not http(s) is refused', () => {
  expect(parseSmokeArgs(['--url', 'ftp://x'])).toEqual({
    problems: ['--url "ftp://x" must be http or https'],
  });
  expect(parseSmokeArgs(['--url', 'not a url'])).toEqual({ problems: ['--url "not a url" is not a URL'] });
});
