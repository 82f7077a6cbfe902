// Smoke test: the smoke probe's protocol, criteria, tuning and URL.
import { type Profile, PROFILE_SMOKE } from '../core/config';
import { parseDuration } from '../core/durations';
import { findPathHazard, smokeDefaults } from '../core/smoke-rules';
import type { SmokeCriteria } from '../core/smoke-types';
import { parseBoolean, parseEnum, parseInteger } from './scalars';
import { type InputName, type Problems, show } from './shared';

const SMOKE_PROTOCOLS = ['sse', 'websocket', 'http', 'grpc', 'none'] as const;
const SMOKE_ACCEPT_ENCODINGS = ['browser', 'identity'] as const;

// Milliseconds from `500ms`, `10s`, `2m` or a bare number of seconds (core/durations.ts), within [min, max] ms.
export function parseMillis(
  input: InputName,
  text: string,
  minMs: number,
  maxMs: number,
  problems: Problems,
): number | undefined {
  const ms = parseDuration(text);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    problems.add(
      input,
      `${show(text)} is not a duration from ${minMs / 1000} s to ${maxMs / 1000} s`,
      'a duration such as `500ms`, `10s` or `2m`',
    );
    return undefined;
  }
  return ms;
}

export function parseSmoke(
  text: (name: InputName) => string,
  profile: Profile | undefined,
  problems: Problems,
): SmokeCriteria | undefined {
  const protocolText = text('smoke_protocol');
  const profileProtocol = PROFILE_SMOKE[profile ?? 'sse'].protocol;
  const protocol =
    protocolText === ''
      ? profileProtocol
      : parseEnum('smoke_protocol', protocolText, SMOKE_PROTOCOLS, problems);
  // The shared defaults (core/smoke-rules.ts); with `none` or an unknown protocol no smoke test runs.
  const defaults = smokeDefaults(protocol === undefined || protocol === 'none' ? profileProtocol : protocol);
  const path = (name: 'smoke_path' | 'health_path', fallback: string) => {
    const value = text(name);
    if (value === '') return fallback;
    if (name === 'health_path' && value === 'none') return '';
    const example =
      name === 'health_path'
        ? 'a path such as `/health`, or `none` to skip the health check'
        : 'a path such as `/events`';
    if (!value.startsWith('/') || /\s/.test(value)) {
      problems.add(name, `${show(value)} is not a path`, example);
      return undefined;
    }
    // docs/platform.md "Reserved URL paths" (https://cloud.google.com/run/docs/known-issues).
    const hazard = findPathHazard(value);
    if (hazard?.kind === 'other-host') {
      problems.add(name, `${show(value)} ${hazard.detail}`, `${example}, with one leading \`/\``);
      return undefined;
    }
    if (hazard?.kind === 'reserved') {
      problems.add(name, `${show(value)} ${hazard.detail}`, `another ${example.slice(2)}`);
      return undefined;
    }
    if (hazard)
      problems.warn(
        name,
        `${show(value)} ${hazard.detail}; if the smoke test gets a 404 from Google, use a path such as \`${value.replace(/[?#].*$/s, '').slice(0, -1)}\``,
      );
    return value;
  };
  const millis = (name: InputName, fallback: number, min: number, max: number) =>
    text(name) === '' ? fallback : parseMillis(name, text(name), min, max, problems);
  const count = (name: InputName, fallback: number, min: number, max: number) =>
    text(name) === '' ? fallback : parseInteger(name, text(name), min, max, problems);
  const criteria = {
    protocol,
    path: path('smoke_path', defaults.path),
    healthPath: path('health_path', defaults.healthPath),
    healthTimeoutMs: millis('health_timeout', defaults.healthTimeoutMs, 1000, 600_000),
    durationMs: millis('smoke_duration', defaults.durationMs, 1000, 600_000),
    firstEventTimeoutMs: millis('smoke_first_event_timeout', defaults.firstEventTimeoutMs, 100, 120_000),
    minEvents: count('smoke_min_events', defaults.minEvents, 0, 1_000_000),
    maxGapMs: millis('smoke_max_gap', defaults.maxGapMs, 100, 600_000),
    connections: count('smoke_connections', defaults.connections, 1, 1000),
    checkReconnect:
      text('smoke_reconnect') === ''
        ? defaults.checkReconnect
        : parseBoolean('smoke_reconnect', text('smoke_reconnect'), problems),
  };
  const acceptEncoding =
    text('smoke_accept_encoding') === ''
      ? defaults.acceptEncoding
      : parseEnum('smoke_accept_encoding', text('smoke_accept_encoding'), SMOKE_ACCEPT_ENCODINGS, problems);
  const send = text('smoke_send');
  const expect = text('smoke_expect');
  if (expect !== '' && protocol !== 'websocket')
    problems.add(
      'smoke_expect',
      `is set but \`smoke_protocol\` is \`${protocol}\``,
      '`smoke_send`/`smoke_expect` only with `smoke_protocol: websocket`',
    );
  if (expect.startsWith('/')) {
    const re = /^\/(.*)\/([a-z]*)$/s.exec(expect);
    try {
      if (!re) throw new Error('no closing /');
      new RegExp(re[1], re[2]);
    } catch (err) {
      problems.add(
        'smoke_expect',
        `${show(expect)} is not a valid /regex/flags: ${(err as Error).message}`,
        'plain text to find in the reply, or `/pattern/flags`',
      );
    }
  }
  warnIgnoredSmokeInputs(text, protocol, criteria.healthPath, problems);
  if (protocol === 'none' || protocol === undefined) return undefined;
  if (Object.values(criteria).some((v) => v === undefined) || acceptEncoding === undefined) return undefined;
  return {
    ...(criteria as Omit<SmokeCriteria, 'send' | 'expect'>),
    protocol,
    // An SSE stream with heartbeats needs no events unless `smoke_min_events` asks for them.
    ...(protocol === 'sse' && text('smoke_min_events') === '' && { minEventsIsDefault: true }),
    ...(protocol === 'sse' && { acceptEncoding }),
    ...(send !== '' && protocol === 'websocket' && { send }),
    ...(expect !== '' && { expect }),
  };
}

// Inputs that only tune the smoke test; all ignored with `smoke_protocol: none` (`smoke_expect` is refused).
const SMOKE_TUNING_INPUTS: readonly InputName[] = [
  'smoke_path',
  'health_path',
  'health_timeout',
  'smoke_duration',
  'smoke_first_event_timeout',
  'smoke_min_events',
  'smoke_max_gap',
  'smoke_connections',
  'smoke_send',
  'smoke_url',
  'smoke_reconnect',
  'smoke_accept_encoding',
];

// Warns about smoke inputs the chosen protocol never reads, so a setting that does nothing is not mistaken
// for one that was checked.
function warnIgnoredSmokeInputs(
  text: (name: InputName) => string,
  protocol: (typeof SMOKE_PROTOCOLS)[number] | undefined,
  healthPath: string | undefined,
  problems: Problems,
): void {
  const given = (name: InputName) => text(name) !== '';
  if (protocol === undefined) return;
  if (protocol === 'none') {
    for (const name of SMOKE_TUNING_INPUTS.filter(given))
      problems.warn(name, 'is ignored: `smoke_protocol` is `none`, so no smoke test runs');
    return;
  }
  if (protocol !== 'websocket' && given('smoke_send'))
    problems.warn(
      'smoke_send',
      `is ignored: it is sent only over a WebSocket, and \`smoke_protocol\` is \`${protocol}\``,
    );
  if (protocol !== 'sse')
    for (const name of (['smoke_reconnect', 'smoke_accept_encoding'] as const).filter(given))
      problems.warn(
        name,
        `is ignored: it applies to SSE streams only, and \`smoke_protocol\` is \`${protocol}\``,
      );
  if (protocol === 'http')
    for (const name of (['smoke_min_events', 'smoke_max_gap', 'smoke_connections'] as const).filter(given))
      problems.warn(name, 'is ignored: `smoke_protocol: http` checks the status and body of one GET');
  if (healthPath === '' && given('health_timeout'))
    problems.warn('health_timeout', 'is ignored: `health_path` is `none`, so there is no health check');
}

// An explicit URL to probe instead of the tag URL: http(s) only; it never receives the ID token.
/** An http(s) URL input, kept as its origin. */
export function parseHttpUrl(input: InputName, text: string, problems: Problems): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    /* reported below */
  }
  problems.add(input, `${show(text)} is not an http(s) URL`, 'a URL such as `https://stream.example.com`');
  return undefined;
}

export function parseSmokeUrl(text: string, problems: Problems): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    /* reported below */
  }
  problems.add(
    'smoke_url',
    `${show(text)} is not an http(s) URL`,
    'a URL such as `https://api.example.com` (its origin is probed; it never receives the ID token)',
  );
  return undefined;
}
