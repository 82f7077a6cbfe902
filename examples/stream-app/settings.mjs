// The app's configuration, read once from the environment: the Cloud Run container contract (PORT and
// the K_* variables the platform sets) plus the demo knobs and the misbehaviour switches.

/** Fault switches understood in STREAM_APP_FAULT (comma-separated). */
export const KNOWN_FAULTS = Object.freeze([
  'crash-on-start',
  'never-listen',
  'slow-start',
  'wrong-content-type',
  'close-after-first-event',
  'stall',
  'buffer',
  'ws-no-echo',
  'unhealthy',
  'bad-after',
  'heartbeat-only',
  'gzip-no-flush',
  'error-rate',
  'end-early',
  'slow-first-event',
  'silent-after',
]);

const MAX_MS = 3_600_000;

// Parses `env` into frozen settings; throws one Error naming every bad variable, returns warnings for
// unknown fault names (they are ignored so a typo does not take the app down).
export function readSettings(env) {
  const problems = [];
  const warnings = [];
  const int = (name, fallback, min, max) => {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (fallback === undefined) problems.push(`${name} is required`);
      return fallback;
    }
    const value = parseInteger(raw, min, max);
    if (value === undefined)
      problems.push(`${name}=${JSON.stringify(raw)}: expected an integer ${min}..${max}`);
    return value;
  };

  const faults = new Set();
  for (const name of (env.STREAM_APP_FAULT ?? '').split(',').map((f) => f.trim())) {
    if (name === '') continue;
    if (KNOWN_FAULTS.includes(name)) faults.add(name);
    else
      warnings.push(
        `unknown fault "${name}" in STREAM_APP_FAULT ignored (known: ${KNOWN_FAULTS.join(', ')})`,
      );
  }

  const service = env.K_SERVICE || 'stream-app';
  const settings = Object.freeze({
    /** Port to listen on; Cloud Run injects it and routes requests there. */
    port: int('PORT', undefined, 1, 65535),
    host: env.HOST || '127.0.0.1',
    service,
    revision: env.K_REVISION || 'local',
    configuration: env.K_CONFIGURATION || service,
    greeting: env.GREETING ?? 'hello',
    /** Default spacing of tick events and messages; `?interval=` overrides it per stream. */
    tickMs: int('TICK_MS', 1000, 1, MAX_MS),
    /** Spacing of `: heartbeat` comments on /events; 0 turns them off. */
    heartbeatMs: int('HEARTBEAT_MS', 15_000, 0, MAX_MS),
    /** Reconnection delay advertised to EventSource clients in the `retry:` field. */
    retryMs: int('SSE_RETRY_MS', 2000, 0, MAX_MS),
    faults,
    startDelayMs: int('STREAM_APP_START_DELAY_MS', 5000, 0, MAX_MS),
    stallAfter: int('STREAM_APP_STALL_AFTER', 2, 0, Number.MAX_SAFE_INTEGER),
    bufferEvents: int('STREAM_APP_BUFFER_EVENTS', 5, 1, 100_000),
    /** `bad-after`: how long after listening the app turns bad. */
    badAfterMs: int('STREAM_APP_BAD_AFTER_MS', 5000, 0, MAX_MS),
    /** Delay before a stream's first event (the work before it, e.g. a model's first token); 0: at once. */
    firstEventMs: int('STREAM_APP_FIRST_EVENT_MS', 0, 0, MAX_MS),
    /** `error-rate`: the percent of requests and streams (not `/health`) answered 500. */
    errorPercent: int('STREAM_APP_ERROR_PERCENT', 5, 0, 100),
    /** `end-early`: the percent of streams the app ends early, and how long after they open. */
    endEarlyPercent: int('STREAM_APP_END_EARLY_PERCENT', 20, 0, 100),
    endEarlyMs: int('STREAM_APP_END_EARLY_MS', 1500, 0, MAX_MS),
    /** `slow-first-event`: the first event comes this many times STREAM_APP_FIRST_EVENT_MS after the request. */
    slowFactor: int('STREAM_APP_SLOW_FACTOR', 3, 1, 1000),
    /** `silent-after`: how long after listening every stream goes silent. */
    silentAfterMs: int('STREAM_APP_SILENT_AFTER_MS', 60_000, 0, MAX_MS),
  });
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { settings, warnings };
}

// A decimal integer within [min, max], or undefined for anything else (signs, fractions, junk).
export function parseInteger(raw, min, max) {
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw.trim())) return undefined;
  const value = Number(raw.trim());
  return value >= min && value <= max ? value : undefined;
}

/** When the first event of a stream is due, ms after the request (the `slow-first-event` fault multiplies it). */
export function firstEventDelay(settings) {
  return settings.faults.has('slow-first-event')
    ? settings.firstEventMs * settings.slowFactor
    : settings.firstEventMs;
}

/** Whether this request or stream is one of the share the `error-rate` fault fails (at random). */
export function failsThisOne(settings) {
  return settings.faults.has('error-rate') && Math.random() * 100 < settings.errorPercent;
}

/** Whether this stream is one of the share the `end-early` fault cuts short (at random). */
export function endsThisOneEarly(settings) {
  return settings.faults.has('end-early') && Math.random() * 100 < settings.endEarlyPercent;
}

export { MAX_MS };
