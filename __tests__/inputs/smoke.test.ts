import { parse, problemsOf } from './fixtures';

describe('smoke test inputs', () => {
  it.each([
    ['sse', 'sse', '/events', 3],
    ['websocket', 'websocket', '/ws', 0],
    ['grpc', 'grpc', '/', 0],
    ['http', 'http', '/', 0],
  ] as const)(
    'profile %s probes %s %s with min events %d by default',
    (profile, protocol, path, minEvents) => {
      expect(parse({ profile }).smoke).toMatchObject({ protocol, path, minEvents });
    },
  );

  it('gRPC checks health with grpc.health.v1, so no HTTP health path by default', () => {
    expect(parse({ profile: 'grpc' }).smoke).toMatchObject({ protocol: 'grpc', healthPath: '' });
  });

  it('`smoke_protocol: none` skips the smoke test', () => {
    expect(parse({ smoke_protocol: 'none' }).smoke).toBeUndefined();
  });

  it.each([
    [{ smoke_protocol: 'grpcweb' }, 'smoke_protocol'],
    [{ smoke_path: 'events' }, 'smoke_path'],
    [{ health_path: 'health z' }, 'health_path'],
    [{ smoke_duration: '0.5s' }, 'smoke_duration'],
    [{ smoke_duration: '10 minutes' }, 'smoke_duration'],
    [{ smoke_first_event_timeout: '-1s' }, 'smoke_first_event_timeout'],
    [{ smoke_min_events: 'many' }, 'smoke_min_events'],
    [{ smoke_max_gap: '3h' }, 'smoke_max_gap'],
    [{ smoke_connections: '1001' }, 'smoke_connections'],
    [{ smoke_expect: 'pong' }, 'smoke_expect'],
    [{ smoke_protocol: 'websocket', smoke_expect: '/[unclosed/' }, 'smoke_expect'],
    [{ smoke_url: 'ftp://example.com' }, 'smoke_url'],
    [{ keep_failed_candidate: 'maybe' }, 'keep_failed_candidate'],
  ])('%j is refused, naming `%s`', (inputs, input) => {
    const problems = problemsOf(inputs as Record<string, string>);
    expect(problems.map((p) => p.input)).toEqual([input]);
  });
});

describe('parseInputs: health_timeout', () => {
  it.each([
    ['', 60_000],
    ['5s', 5000],
    ['2m', 120_000],
  ])('%p -> %p ms', (value, ms) => {
    expect(parse({ health_timeout: value }).smoke?.healthTimeoutMs).toBe(ms);
  });

  it('refuses a value outside 1 s to 10 min, naming the input', () => {
    expect(problemsOf({ health_timeout: '500ms' })).toEqual([
      { input: 'health_timeout', message: expect.stringMatching(/not a duration from 1 s to 600 s/) },
    ]);
  });
});

// docs/platform.md "Reserved URL paths"; https://cloud.google.com/run/docs/known-issues ("Reserved URL paths"):
// Google's front end answers `/healthz`, `/eventlog` and `/_ah/…` itself with a 404 and advises avoiding all
// paths that end in `z`.
describe('parseInputs: reserved and unsafe paths', () => {
  it.each([
    [
      '/healthz',
      "is answered by Google's front end with its own 404 before the request reaches the container",
    ],
    ['/healthz?probe=1', "is answered by Google's front end"],
    ['/eventlog', "is answered by Google's front end"],
    ['/_ah/health', "is answered by Google's front end"],
    ['/_ah/warmup#x', "is answered by Google's front end"],
    ['//evil.example/x', 'starts with `//`, which a URL parser reads as the start of another host'],
    ['/\\evil.example/x', 'starts with `/\\`, which a URL parser reads as the start of another host'],
  ])('refuses %j as health_path and smoke_path', (path, wrong) => {
    for (const input of ['health_path', 'smoke_path'] as const) {
      const problems = problemsOf({ [input]: path });
      expect(problems).toEqual([{ input, message: expect.stringContaining(wrong) }]);
      expect(problems[0].message).toMatch(
        input === 'health_path' ? /; expected .*`\/health`/ : /; expected .*`\/events`/,
      );
      if (!path.includes('evil'))
        expect(problems[0].message).toContain(
          'https://cloud.google.com/run/docs/known-issues, "Reserved URL paths"',
        );
    }
  });

  it.each([
    ['/statusz', '/status'],
    ['/readyz', '/ready'],
    ['/api/livez?verbose=1', '/api/livez'.slice(0, -1)],
  ])('warns about %j (ends in z) and suggests %j', (path, suggestion) => {
    for (const input of ['health_path', 'smoke_path'] as const) {
      const config = parse({ [input]: path });
      expect(config.inputWarnings).toEqual([
        expect.stringMatching(
          new RegExp(`^\`${input}\`: .* ends in \`z\`: Google's front end answers some such paths`),
        ),
      ]);
      expect(config.inputWarnings[0]).toContain(`use a path such as \`${suggestion}\``);
    }
  });

  it.each(['/health', '/healthz/', '/healthcheck', '/events?topic=z', '/_ah', '/ws', '/'])(
    'accepts %j without a warning',
    (path) => {
      for (const input of ['health_path', 'smoke_path'] as const)
        expect(parse({ [input]: path }).inputWarnings).toEqual([]);
    },
  );

  it('defaults health_path to /health, which reaches the container', () => {
    expect(parse().smoke?.healthPath).toBe('/health');
  });
});

describe('issue 12: smoke_reconnect, smoke_accept_encoding, smoke_min_events given', () => {
  it.each([
    [{ smoke_reconnect: 'false' }, { checkReconnect: false }],
    [{ smoke_accept_encoding: 'identity' }, { acceptEncoding: 'identity' }],
    [{ smoke_min_events: '3' }, { minEvents: 3 }],
  ])('%j -> %j', (inputs, expected) => {
    const smoke = parse(inputs).smoke!;
    expect(smoke).toMatchObject(expected);
    expect(smoke.minEventsIsDefault).toBe('smoke_min_events' in inputs ? undefined : true);
  });

  it('refuses bad values, naming the input', () => {
    expect(() => parse({ smoke_reconnect: 'yes', smoke_accept_encoding: 'gzip' })).toThrow(
      /`smoke_reconnect`[\s\S]*`smoke_accept_encoding`|`smoke_accept_encoding`[\s\S]*`smoke_reconnect`/,
    );
  });
});
