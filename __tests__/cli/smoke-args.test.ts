import { parseSmokeArgs } from '../../src/cli/smoke-args';

// The health default is `/health`, not `/healthz`: Google's front end answers `/healthz` itself with a 404
// (docs/platform.md "Reserved URL paths").
test('defaults for sse: /events, health /health, 10 s, 3 events, 5 s first event and gap, 1 connection, reconnect', () => {
  expect(parseSmokeArgs(['--url', 'https://api-abc.a.run.app'])).toEqual({
    args: {
      url: 'https://api-abc.a.run.app',
      json: false,
      criteria: {
        protocol: 'sse',
        path: '/events',
        healthPath: '/health',
        healthTimeoutMs: 60_000,
        durationMs: 10_000,
        firstEventTimeoutMs: 5000,
        minEvents: 3,
        maxGapMs: 5000,
        connections: 1,
        checkReconnect: true,
        minEventsIsDefault: true,
        acceptEncoding: 'browser',
      },
    },
    warnings: [],
  });
});

// The action's defaults (core/smoke-rules.ts): gRPC checks health with grpc.health.v1, not an HTTP path.
test.each([
  ['http', '/', '/health', 0],
  ['grpc', '/', '', 0],
])('defaults for --protocol %s: path %j, health %j, %j events', (protocol, path, healthPath, minEvents) => {
  expect(parseSmokeArgs(['--url', 'https://api-abc.a.run.app', '--protocol', protocol])).toMatchObject({
    args: { criteria: { protocol, path, healthPath, minEvents } },
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
    warnings: [],
  });
});

test('--help wins', () => {
  expect(parseSmokeArgs(['--url', 'x', '--help'])).toEqual({ help: true });
});

test('every usage problem at once', () => {
  const parsed = parseSmokeArgs([
    '--protocol',
    'grpcweb',
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
      '--protocol must be sse, websocket, http or grpc (got "grpcweb")',
      '--duration "forever" must be a duration from 100ms to 3600s, such as 500ms, 10s or 2m',
      '--connections "5000" must be a whole number from 1 to 1000',
      '--send and --expect need --protocol websocket',
    ],
  });
});

test('a URL that is not http(s) is refused', () => {
  expect(parseSmokeArgs(['--url', 'ftp://x'])).toEqual({
    problems: ['--url "ftp://x" must be http, https, ws or wss'],
  });
  expect(parseSmokeArgs(['--url', 'not a url'])).toEqual({ problems: ['--url "not a url" is not a URL'] });
});

test('the CLI only warns about reserved paths: its user may point it at any server', () => {
  const parsed = parseSmokeArgs([
    '--url',
    'http://127.0.0.1:8080',
    '--health-path',
    '/healthz',
    '--path',
    '/streamz',
  ]);
  expect(parsed).toMatchObject({
    args: { criteria: { healthPath: '/healthz', path: '/streamz' } },
    warnings: [
      expect.stringMatching(/^--path "\/streamz" ends in `z`/),
      expect.stringMatching(/^--health-path "\/healthz" is answered by Google's front end with its own 404/),
    ],
  });
});

test.each([
  [['--path', '//evil.example/x'], '--path "//evil.example/x" starts with `//`'],
  [['--health-path', '/\\evil.example'], '--health-path "/\\\\evil.example" starts with `/\\`'],
  [[], '--path "//evil.example/x" starts with `//`'],
])('the CLI refuses a path that a URL parser reads as another host: %j', (flags, problem) => {
  const url = flags.length === 0 ? 'https://api.example//evil.example/x' : 'https://api.example';
  expect(parseSmokeArgs(['--url', url, ...flags])).toEqual({
    problems: [expect.stringContaining(problem)],
  });
});

test('--accept-encoding identity, and --min-events given turns the heartbeat allowance off', () => {
  const parsed = parseSmokeArgs([
    '--url',
    'https://a.run.app',
    '--accept-encoding',
    'identity',
    '--min-events',
    '2',
  ]);
  expect(parsed).toMatchObject({ args: { criteria: { acceptEncoding: 'identity', minEvents: 2 } } });
  expect('args' in parsed && parsed.args?.criteria.minEventsIsDefault).toBeFalsy();
  expect(parseSmokeArgs(['--url', 'https://a.run.app', '--accept-encoding', 'gzip'])).toMatchObject({
    problems: ['--accept-encoding "gzip" must be browser or identity'],
  });
});

describe('WebSocket URLs', () => {
  test.each([
    ['ws://127.0.0.1:8080/ws', 'http://127.0.0.1:8080', '/ws'],
    ['wss://api-abc.a.run.app/chat', 'https://api-abc.a.run.app', '/chat'],
    ['WSS://api-abc.a.run.app', 'https://api-abc.a.run.app', '/ws'],
  ])('%s is the websocket smoke test of %s, path %s', (url, origin, path) => {
    const parsed = parseSmokeArgs(['--url', url]);
    expect(parsed).toHaveProperty('args');
    const { args } = parsed as { args: { url: string; criteria: { protocol: string; path: string } } };
    expect([args.url, args.criteria.protocol, args.criteria.path]).toEqual([origin, 'websocket', path]);
  });

  test('a WebSocket URL with another protocol, or another scheme, is refused', () => {
    expect(parseSmokeArgs(['--url', 'ws://h/ws', '--protocol', 'sse'])).toEqual({
      problems: ['--url "ws://h/ws" is a WebSocket URL, but --protocol is sse'],
    });
    expect(parseSmokeArgs(['--url', 'ftp://h/'])).toEqual({
      problems: ['--url "ftp://h/" must be http, https, ws or wss'],
    });
  });
});
