// `stream-deploy smoke` arguments as data: flags to SmokeCriteria, every problem reported at once. The
// defaults, the duration grammar and the path hazards are the action's own (core/smoke-rules.ts,
// core/durations.ts).
import { parseDuration } from '../core/durations';
import { findPathHazard, smokeDefaults } from '../core/smoke-rules';
import type { SmokeCriteria, SmokeProtocol } from '../core/smoke-types';

export const SMOKE_USAGE = `Usage: stream-deploy smoke --url URL [options]

Runs the streaming smoke test against URL and prints the checks; exits 0 on pass, 1 on fail or
inconclusive, 2 on a usage error.

Options:
  --url URL                    the service or tag URL to test, or the stream's own URL (required);
                               http(s)://, or ws(s):// for a WebSocket
  --protocol sse|websocket|http|grpc
                               what to test (default: websocket for a ws(s):// URL, else sse)
  --path P                     stream path (default: /events for sse, /ws for websocket, / for http)
  --health-path P|none         answered 2xx before streaming, retried while an instance starts (default:
                               /health; none for grpc, which checks grpc.health.v1 itself)
  --health-timeout D           retry the health path for up to D (default: 60s)
  --duration D                 how long each stream is watched (default: 10s)
  --min-events N               at least N events or messages (default: 3 for sse, 0 otherwise; when not
                               given, sse heartbeat comments count as liveness and no event is required)
  --first-event-timeout D      the first event or reply within D (default: 5s)
  --max-gap D                  no silence longer than D between events (default: 5s)
  --connections N              streams opened at once, 1 to 1000 (default: 1)
  --send TEXT                  websocket: send TEXT once open
  --expect TEXT                websocket: the reply must contain TEXT, or match /pattern/flags
  --no-reconnect               sse: skip the Last-Event-ID reconnect check
  --accept-encoding browser|identity
                               sse: gzip, deflate, br as browsers send (default), or identity
  --id-token-audience AUD      send an ID token for AUD (the service URL of a private service), minted from
                               the application default credentials
  --json                       print one JSON object {verdict, checks, metrics} instead of text
  -h, --help                   show this help

Durations: 500ms, 10s, 2m (a bare number is seconds).
`;

export interface SmokeArgs {
  url: string;
  criteria: SmokeCriteria;
  json: boolean;
  idTokenAudience?: string;
}

const VALUE_FLAGS = [
  '--url',
  '--protocol',
  '--path',
  '--health-path',
  '--duration',
  '--min-events',
  '--health-timeout',
  '--first-event-timeout',
  '--max-gap',
  '--connections',
  '--send',
  '--expect',
  '--id-token-audience',
  '--accept-encoding',
];

/**
 * Parses `smoke` flags (after the command word); `help` when asked, else the args with warnings to print, or
 * every problem. The CLI takes any URL its user types, so a reserved path only warns; a path that would
 * send the request (and the ID token) to another host is refused.
 */
export function parseSmokeArgs(
  argv: readonly string[],
): { help: true } | { args: SmokeArgs; warnings: string[] } | { problems: string[] } {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const problems: string[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=')
        ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
        : [argv[i], undefined];
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--json' || flag === '--no-reconnect') switches.add(flag);
    else if (VALUE_FLAGS.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) problems.push(`${flag} needs a value`);
      else values.set(flag, value);
    } else problems.push(`unknown option ${JSON.stringify(flag)}`);
  }
  // A WebSocket URL (`ws://`, `wss://`) is the same origin over http(s), and says the protocol.
  const given = values.get('--url');
  const socketScheme = given !== undefined && /^wss?:\/\//i.test(given);
  const url = socketScheme ? given!.replace(/^ws/i, 'http') : given;
  if (!url) problems.push('--url is required');
  else {
    try {
      if (!/^https?:$/.test(new URL(url).protocol))
        problems.push(`--url ${JSON.stringify(given)} must be http, https, ws or wss`);
    } catch {
      problems.push(`--url ${JSON.stringify(given)} is not a URL`);
    }
  }
  const protocol = (values.get('--protocol') ?? (socketScheme ? 'websocket' : 'sse')) as SmokeProtocol;
  if (socketScheme && protocol !== 'websocket')
    problems.push(`--url ${JSON.stringify(given)} is a WebSocket URL, but --protocol is ${protocol}`);
  if (!['sse', 'websocket', 'http', 'grpc'].includes(protocol))
    problems.push(`--protocol must be sse, websocket, http or grpc (got ${JSON.stringify(protocol)})`);
  const duration = (flag: string, fallback: number, min: number, max: number) => {
    const text = values.get(flag);
    if (text === undefined) return fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms < min || ms > max) {
      problems.push(
        `${flag} ${JSON.stringify(text)} must be a duration from ${min}ms to ${max / 1000}s, such as 500ms, 10s or 2m`,
      );
      return fallback;
    }
    return ms;
  };
  const integer = (flag: string, fallback: number, min: number, max: number) => {
    const text = values.get(flag);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      problems.push(`${flag} ${JSON.stringify(text)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(text);
  };
  const path = (flag: string, fallback: string) => {
    // An empty default is no health check (gRPC's); a given path, or one from the URL, is checked.
    if (!values.has(flag) && fallback === '') return '';
    const text = values.get(flag) ?? fallback;
    if (flag === '--health-path' && text === 'none') return '';
    if (!text.startsWith('/')) problems.push(`${flag} ${JSON.stringify(text)} must start with /`);
    const hazard = findPathHazard(text);
    if (hazard?.kind === 'other-host')
      problems.push(`${flag} ${JSON.stringify(text)} ${hazard.detail}; use a path with one leading /`);
    else if (hazard) warnings.push(`${flag} ${JSON.stringify(text)} ${hazard.detail}`);
    return text;
  };
  // A URL with a path names the stream itself, unless --path says otherwise.
  let urlPath: string | undefined;
  try {
    const parsed = new URL(url ?? '');
    if (parsed.pathname !== '/' || parsed.search) urlPath = parsed.pathname + parsed.search;
  } catch {
    urlPath = undefined;
  }
  const defaults = smokeDefaults(protocol);
  const criteria: SmokeCriteria = {
    protocol,
    path: path('--path', urlPath ?? defaults.path),
    healthPath: path('--health-path', defaults.healthPath),
    healthTimeoutMs: duration('--health-timeout', defaults.healthTimeoutMs, 1, 3_600_000),
    durationMs: duration('--duration', defaults.durationMs, 100, 3_600_000),
    firstEventTimeoutMs: duration('--first-event-timeout', defaults.firstEventTimeoutMs, 1, 600_000),
    minEvents: integer('--min-events', defaults.minEvents, 0, 1_000_000),
    maxGapMs: duration('--max-gap', defaults.maxGapMs, 1, 3_600_000),
    connections: integer('--connections', defaults.connections, 1, 1000),
    checkReconnect: !switches.has('--no-reconnect') && defaults.checkReconnect,
    ...(protocol === 'sse' && !values.has('--min-events') && { minEventsIsDefault: true }),
    ...(protocol === 'sse' && {
      acceptEncoding: values.get('--accept-encoding') === 'identity' ? 'identity' : defaults.acceptEncoding,
    }),
    ...(values.has('--send') && { send: values.get('--send') }),
    ...(values.has('--expect') && { expect: values.get('--expect') }),
  };
  const encoding = values.get('--accept-encoding');
  if (encoding !== undefined && encoding !== 'browser' && encoding !== 'identity')
    problems.push(`--accept-encoding ${JSON.stringify(encoding)} must be browser or identity`);
  if ((criteria.send !== undefined || criteria.expect !== undefined) && protocol !== 'websocket')
    problems.push('--send and --expect need --protocol websocket');
  if (problems.length > 0) return { problems };
  return {
    args: {
      url: new URL(url as string).origin,
      criteria,
      json: switches.has('--json'),
      ...(values.has('--id-token-audience') && { idTokenAudience: values.get('--id-token-audience') }),
    },
    warnings,
  };
}
