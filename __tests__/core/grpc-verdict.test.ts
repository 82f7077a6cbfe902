// judgeGrpc from tables: what the probe saw of Health/Check and Health/Watch -> grpc-health, grpc-watch.
import { CANNOT_JUDGE } from '../../src/core/smoke';
import {
  judgeGrpc,
  type GrpcCallError,
  type GrpcObservation,
  type GrpcWatchObservation,
} from '../../src/core/grpc-verdict';

const CRITERIA = { durationMs: 2000, firstEventTimeoutMs: 1000 };
const GRPC_TYPE = 'application/grpc+proto';

function observe(
  overrides: Omit<Partial<GrpcObservation>, 'watch'> & { watch?: Partial<GrpcWatchObservation> } = {},
): GrpcObservation {
  const { watch, ...rest } = overrides;
  return {
    url: 'https://api-abc.a.run.app',
    target: 'api-abc.a.run.app:443',
    tls: true,
    service: '',
    startMs: 0,
    check: { attempts: 1, atMs: 40, status: 'SERVING', contentType: GRPC_TYPE, revision: 'api-00002-abc' },
    deadlineHit: false,
    stoppedMs: 2100,
    ...rest,
    watch: {
      startMs: 50,
      contentType: GRPC_TYPE,
      messages: [{ atMs: 60, status: 'SERVING' }],
      stoppedMs: 2050,
      stayedOpen: true,
      ...watch,
    },
  };
}

const err = (codeName: string, details: string, extra: Partial<GrpcCallError> = {}): GrpcCallError => ({
  code:
    { UNAVAILABLE: 14, UNIMPLEMENTED: 12, NOT_FOUND: 5, DEADLINE_EXCEEDED: 4, UNAUTHENTICATED: 16 }[
      codeName
    ] ?? 2,
  codeName,
  details,
  answered: true,
  ...extra,
});

const REFUSED = err(
  'UNAVAILABLE',
  'No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.1:443',
  {
    answered: false,
  },
);

describe('judgeGrpc', () => {
  it('passes a SERVING Check and a Watch that sends SERVING at once and stays open', () => {
    const j = judgeGrpc(observe(), CRITERIA);
    expect(j.verdict).toBe('pass');
    expect(j.checks.map((c) => [c.name, c.ok])).toEqual([
      ['grpc-health', true],
      ['grpc-watch', true],
    ]);
    expect(j.checks[0].detail).toContain('revision api-00002-abc');
    expect(j.metrics).toMatchObject({
      connectMs: 40,
      firstEventMs: 10,
      events: 1,
      connectionsHeld: 1,
      connectionsTried: 1,
    });
    expect(j.summary).toBe(
      'gRPC smoke test of https://api-abc.a.run.app passed (2 checks): Check SERVING in 40 ms, Watch SERVING after 10 ms, held 2 s, revision api-00002-abc',
    );
  });

  // [case, observation, verdict, health ok, health detail contains, watch ok, watch detail contains]
  const cases: Array<[string, GrpcObservation, string, boolean, string, boolean, string]> = [
    [
      'NOT_SERVING',
      observe({
        check: { attempts: 1, atMs: 30, status: 'NOT_SERVING', contentType: GRPC_TYPE },
        watch: { messages: [{ atMs: 55, status: 'NOT_SERVING' }] },
      }),
      'fail',
      false,
      'answered NOT_SERVING',
      false,
      'streamed NOT_SERVING at 5 ms; expected SERVING throughout',
    ],
    [
      'no health service (UNIMPLEMENTED)',
      observe({
        check: {
          attempts: 1,
          atMs: 30,
          contentType: GRPC_TYPE,
          error: err(
            'UNIMPLEMENTED',
            'The server does not implement the method /grpc.health.v1.Health/Check',
          ),
        },
        watch: {
          messages: [],
          endedMs: 60,
          stayedOpen: false,
          error: err(
            'UNIMPLEMENTED',
            'The server does not implement the method /grpc.health.v1.Health/Watch',
          ),
        },
      }),
      'fail',
      false,
      'grpc-health-check',
      false,
      'UNIMPLEMENTED too',
    ],
    [
      'Check only, Watch UNIMPLEMENTED',
      observe({
        watch: {
          messages: [],
          endedMs: 60,
          stayedOpen: false,
          error: err(
            'UNIMPLEMENTED',
            'The server does not implement the method /grpc.health.v1.Health/Watch',
          ),
        },
      }),
      'fail',
      true,
      'SERVING',
      false,
      'implements Check only',
    ],
    [
      'connection refused: cannot judge',
      observe({
        check: { attempts: 5, atMs: 1000, error: REFUSED },
        watch: { messages: [], endedMs: 1002, stayedOpen: false, error: REFUSED },
      }),
      'inconclusive',
      false,
      `${CANNOT_JUDGE}Health/Check after 5 attempts never reached the service`,
      false,
      CANNOT_JUDGE,
    ],
    [
      'HTTP 404 mapped to UNIMPLEMENTED is not "no health service"',
      observe({
        check: {
          attempts: 1,
          atMs: 30,
          contentType: 'text/html',
          error: err('UNIMPLEMENTED', 'Received HTTP status code 404', { httpStatus: 404 }),
        },
        watch: {
          messages: [],
          contentType: 'text/html',
          endedMs: 60,
          stayedOpen: false,
          error: err('UNIMPLEMENTED', 'Received HTTP status code 404', { httpStatus: 404 }),
        },
      }),
      'fail',
      false,
      'got HTTP 404 with content-type text/html, not a gRPC answer',
      false,
      'not a gRPC answer',
    ],
    [
      'a server that is not HTTP/2',
      observe({
        tls: false,
        check: {
          attempts: 1,
          atMs: 10,
          error: err('UNAVAILABLE', 'No connection established. Last error: Protocol error', {
            answered: false,
          }),
        },
        watch: {
          messages: [],
          endedMs: 20,
          stayedOpen: false,
          error: err('UNAVAILABLE', 'No connection established. Last error: Protocol error', {
            answered: false,
          }),
        },
      }),
      'fail',
      false,
      'does not speak HTTP/2',
      false,
      'does not speak HTTP/2',
    ],
    [
      'first status too late',
      observe({ watch: { messages: [{ atMs: 1550, status: 'SERVING' }] } }),
      'fail',
      true,
      'SERVING',
      false,
      'came 1.5 s after the call; expected within 1 s',
    ],
    [
      'no status at all',
      observe({ watch: { messages: [], stoppedMs: 2050, stayedOpen: true } }),
      'fail',
      true,
      'SERVING',
      false,
      'sent no status in 2 s',
    ],
    [
      'server ends the Watch early',
      observe({ watch: { endedMs: 300, stoppedMs: 300, stayedOpen: false } }),
      'fail',
      true,
      'SERVING',
      false,
      'then was ended by the server at 250 ms; expected the stream to stay open',
    ],
    [
      'Watch broken off with an error',
      observe({
        watch: {
          endedMs: 800,
          stoppedMs: 800,
          stayedOpen: false,
          error: err('INTERNAL', 'Received RST_STREAM with code 2'),
        },
      }),
      'fail',
      true,
      'SERVING',
      false,
      'broke off at 750 ms: INTERNAL',
    ],
    [
      'turns NOT_SERVING during the watch',
      observe({
        watch: {
          messages: [
            { atMs: 60, status: 'SERVING' },
            { atMs: 900, status: 'NOT_SERVING' },
          ],
        },
      }),
      'fail',
      true,
      'SERVING',
      false,
      'SERVING at 10 ms, NOT_SERVING at 850 ms',
    ],
    [
      'unknown service name',
      observe({
        service: 'shop.Cart',
        check: {
          attempts: 1,
          atMs: 30,
          contentType: GRPC_TYPE,
          error: err('NOT_FOUND', 'unknown service shop.Cart'),
        },
        watch: { messages: [{ atMs: 60, status: 'SERVICE_UNKNOWN' }] },
      }),
      'fail',
      false,
      'no status for "shop.Cart"',
      false,
      'SERVICE_UNKNOWN',
    ],
    [
      'private service without a token (HTTP 401)',
      observe({
        check: {
          attempts: 1,
          atMs: 30,
          error: err('UNAUTHENTICATED', 'Received HTTP status code 401', { httpStatus: 401 }),
        },
        watch: {
          messages: [],
          endedMs: 60,
          stayedOpen: false,
          error: err('UNAUTHENTICATED', 'Received HTTP status code 401', { httpStatus: 401 }),
        },
      }),
      'fail',
      false,
      'ID token',
      false,
      'ID token',
    ],
    [
      'Check never answered by an app that took the call',
      observe({
        check: {
          attempts: 1,
          atMs: 1000,
          contentType: GRPC_TYPE,
          error: err('DEADLINE_EXCEEDED', 'Deadline exceeded after 1.001s,remote_addr=10.0.0.1:443'),
        },
      }),
      'fail',
      false,
      'never answered',
      true,
      'stayed open',
    ],
  ];

  it.each(cases)('%s', (_name, obs, verdict, healthOk, healthText, watchOk, watchText) => {
    const j = judgeGrpc(obs, CRITERIA);
    const [health, watch] = j.checks;
    expect(j.verdict).toBe(verdict);
    expect([health.name, health.ok]).toEqual(['grpc-health', healthOk]);
    expect(health.detail).toContain(healthText);
    expect([watch.name, watch.ok]).toEqual(['grpc-watch', watchOk]);
    expect(watch.detail).toContain(watchText);
  });

  it('says which checks failed in the summary', () => {
    const j = judgeGrpc(observe({ watch: { endedMs: 300, stoppedMs: 300, stayedOpen: false } }), CRITERIA);
    expect(j.summary).toMatch(
      /failed 1 of 2 checks \(grpc-watch\): Check SERVING in 40 ms, Watch SERVING after 10 ms, not held/,
    );
  });

  it('calls an unreachable service inconclusive in the summary', () => {
    const j = judgeGrpc(
      observe({
        check: { attempts: 3, atMs: 900, error: REFUSED },
        watch: { messages: [], endedMs: 901, stayedOpen: false, error: REFUSED },
      }),
      CRITERIA,
    );
    expect(j.summary).toMatch(/was inconclusive: it could not reach the service \(grpc-health, grpc-watch\)/);
    expect(j.metrics.connectionsHeld).toBe(0);
  });
});
