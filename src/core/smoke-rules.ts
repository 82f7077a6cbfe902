// The smoke test's rules shared by the action's inputs (src/inputs/smoke.ts) and `stream-deploy smoke`
// (src/cli/smoke-args.ts): what it checks when nothing says otherwise, and the URL paths Google's front end
// answers itself. Pure.
import type { AcceptEncoding, SmokeCriteria, SmokeProtocol } from './smoke-types';

/** The criteria a smoke test starts from, before any setting given by the user. */
export type SmokeDefaults = Omit<SmokeCriteria, 'protocol' | 'send' | 'expect' | 'minEventsIsDefault'> & {
  acceptEncoding: AcceptEncoding;
};

/**
 * The defaults for `protocol`: the stream at `/events` (SSE), `/ws` (WebSocket) or `/`; health at `/health`,
 * except for gRPC, which checks health with grpc.health.v1 itself (an HTTP health path would not be served
 * over h2c); 3 events for SSE and none otherwise; 10 s watched, 5 s to the first event and between events.
 */
export function smokeDefaults(protocol: SmokeProtocol): SmokeDefaults {
  return {
    path: protocol === 'websocket' ? '/ws' : protocol === 'sse' ? '/events' : '/',
    healthPath: protocol === 'grpc' ? '' : '/health',
    healthTimeoutMs: 60_000,
    durationMs: 10_000,
    firstEventTimeoutMs: 5000,
    minEvents: protocol === 'sse' ? 3 : 0,
    maxGapMs: 5000,
    connections: 1,
    checkReconnect: true,
    acceptEncoding: 'browser',
  };
}

/** Where Google documents the paths its front end answers itself (docs/platform.md "Reserved URL paths"). */
export const RESERVED_PATHS_DOC = 'https://cloud.google.com/run/docs/known-issues, "Reserved URL paths"';

/**
 * What is wrong with a URL path the smoke test will request, or undefined when nothing is:
 * - `other-host`: it starts with `//` or `/\`, which URL parsers read as another host (the ID token would go there);
 * - `reserved`: `/healthz`, `/eventlog` or `/_ah/…`, which Google's front end answers itself with a 404 before
 *   the container sees it;
 * - `ends-in-z`: its last segment ends in `z`; Google reserves some such paths and advises avoiding them all.
 * The query string and fragment are ignored (docs/platform.md "Reserved URL paths";
 * https://cloud.google.com/run/docs/known-issues).
 */
export function findPathHazard(
  path: string,
): { kind: 'other-host' | 'reserved' | 'ends-in-z'; detail: string } | undefined {
  const bare = path.replace(/[?#].*$/s, '');
  if (bare.startsWith('//') || bare.startsWith('/\\'))
    return {
      kind: 'other-host',
      detail: `starts with \`${bare.slice(0, 2)}\`, which a URL parser reads as the start of another host, and the ID token would go there`,
    };
  if (bare === '/healthz' || bare === '/eventlog' || bare.startsWith('/_ah/'))
    return {
      kind: 'reserved',
      detail: `is answered by Google's front end with its own 404 before the request reaches the container (${RESERVED_PATHS_DOC})`,
    };
  if (/[zZ]$/.test(bare.slice(bare.lastIndexOf('/') + 1)))
    return {
      kind: 'ends-in-z',
      detail: `ends in \`z\`: Google's front end answers some such paths itself with a 404 and advises avoiding them all (${RESERVED_PATHS_DOC})`,
    };
  return undefined;
}
