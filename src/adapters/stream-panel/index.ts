// The stream-health panel's session: N streams held open on the candidate's tag URL and N on the
// baseline's, opened interleaved through the same client code on the same clock, reconnecting when they
// end, read out one window per traffic step for the pure judge (src/core/stream-panel.ts). The ID token
// goes only to the service's own URLs (docs/platform.md "Private smoke requests").
import { performance } from 'node:perf_hooks';
import type { ArmReading } from '../../core/stream-panel';
import type { PanelPort, PanelReadings, PanelSession } from '../../ports';
import { PanelArm, type OpenStream } from './arm';
import { openGrpcWatch, openSse, openWebSocket } from './clients';
import { joinUrl } from '../smoke-probe';

/**
 * The port's options (src/ports.ts PanelPort: the ID token only to `allowedOrigins`; each stream holds a
 * request slot, docs/platform.md "Panel streams occupy concurrency"), and the client's own.
 */
export type PanelOptions = Parameters<PanelPort['open']>[0] & {
  /** Pause before a stream that ended is opened again; default DEFAULT_RECONNECT_DELAY_MS. */
  reconnectDelayMs?: number;
  /** WebSocket: pause between pings, the first on open; default DEFAULT_WS_PING_INTERVAL_MS. */
  wsPingIntervalMs?: number;
  /** How long a probe is watched after its first signal before it is closed; default DEFAULT_PROBE_HOLD_MS. */
  probeHoldMs?: number;
  /** A monotonic clock in ms; default performance.now. */
  now?: () => number;
  /** Progress lines; never given the token. */
  log?: (line: string) => void;
};

/** How long an ended stream waits before it is opened again, unless told. */
export const DEFAULT_RECONNECT_DELAY_MS = 1000;
/** The pause between WebSocket pings, unless told. */
export const DEFAULT_WS_PING_INTERVAL_MS = 2000;
/**
 * A probe is watched 2 s past its first signal, as long as the smoke test's shortest watch: a stream the
 * server ends within seconds of opening is counted as ended early, against the baseline's probes.
 */
export const DEFAULT_PROBE_HOLD_MS = 2000;
/** A probe still silent after this is counted at this (the held streams' gaps judge a silent app). */
const PROBE_TIMEOUT_MS = 10_000;

/** The panel port for the orchestrator: openPanel with this run's clock and log. */
export function createPanelPort(settings: Pick<PanelOptions, 'now' | 'log'> = {}): PanelPort {
  return { open: (options) => openPanel({ ...settings, ...options }) };
}

/** Opens `streams` streams per arm, interleaved (candidate, baseline, candidate, …). */
export function openPanel(options: PanelOptions): PanelSession {
  const now = options.now ?? (() => performance.now());
  const log = options.log ?? (() => undefined);
  const allowed = new Set(options.allowedOrigins.map(originOf));
  const arm = (url: string): PanelArm => {
    const token = options.idToken && allowed.has(originOf(url)) ? options.idToken : undefined;
    if (options.idToken && !token)
      log(`Not sending the ID token to ${originOf(url)}: not one of the service's URLs.`);
    const delay = options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS;
    return new PanelArm(options.protocol, opener(url, token, options, now), delay, now);
  };
  const candidate = arm(options.candidateUrl);
  const baseline = arm(options.baselineUrl);
  for (let i = 0; i < Math.max(1, options.streams); i++) {
    candidate.addStream();
    baseline.addStream();
  }
  // Probes on both arms at the same ticks, so each window has first events, tries and early ends to compare;
  // a tick is skipped on an arm whose probes in flight reached the cap (a slow first event, a silent app).
  const hold = options.probeHoldMs ?? DEFAULT_PROBE_HOLD_MS;
  const cap = Math.max(1, options.maxProbesInFlight);
  const probes =
    options.probesPerSecond > 0
      ? setInterval(
          () => {
            for (const side of [candidate, baseline])
              if (side.probesInFlight < cap) side.probe(PROBE_TIMEOUT_MS, hold);
          },
          Math.max(10, 1000 / options.probesPerSecond),
        )
      : undefined;
  probes?.unref?.();
  const scrub = (reading: ArmReading): ArmReading => {
    const token = options.idToken;
    if (!token) return reading;
    return { ...reading, errors: reading.errors.map((e) => e.split(token).join('***')) };
  };
  const window = (): PanelReadings => ({
    candidate: scrub(candidate.window()),
    baseline: scrub(baseline.window()),
  });
  let closed: Promise<PanelReadings> | undefined;
  return {
    window,
    close: () => {
      closed ??= (async () => {
        clearInterval(probes);
        const last = window();
        await Promise.all([candidate.close(), baseline.close()]).catch(() => undefined);
        return last;
      })();
      return closed;
    },
  };
}

/** The client for the protocol, bound to one arm's URL and token. */
function opener(
  url: string,
  token: string | undefined,
  options: PanelOptions,
  now: () => number,
): OpenStream {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const target = joinUrl(url, options.path);
  switch (options.protocol) {
    case 'sse':
      return (hooks, lastEventId) => openSse(target, headers, hooks, lastEventId);
    case 'websocket':
      return (hooks) =>
        openWebSocket(target, headers, hooks, {
          pingIntervalMs: options.wsPingIntervalMs ?? DEFAULT_WS_PING_INTERVAL_MS,
          send: options.wsSend,
          now,
        });
    case 'grpc':
      return (hooks) => openGrpcWatch(url, token, hooks, { service: options.grpcService ?? '' });
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
