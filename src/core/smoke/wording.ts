// The words of the smoke verdict: how errors, statuses, times and counts read in a check's detail, and
// the prefix that marks a check no one could judge. Pure: no I/O, no clock.

import type { ProbeError } from '../smoke-types';

/**
 * Details of checks that could not be judged for a reason outside the app (nothing reached the service)
 * start with this, so the overall verdict can tell "the app failed" from "we could not look".
 */
export const CANNOT_JUDGE = 'cannot judge: ';

/** Message text quoted in details is cut to this many characters. */
const QUOTE_MAX = 80;

/** A connect-stage failure (DNS, TCP, TLS) never reached the app: its verdict is not the app's. */
export function isOutsideApp(error: ProbeError | undefined): boolean {
  return error !== undefined && error.stage === 'connect';
}

/** Why a request got no status: never reached the service (cannot judge), no headers, or failed. */
export function describeNoAnswer(error: ProbeError | undefined, request: string): string {
  if (!error) return `${request} got no answer`;
  if (isOutsideApp(error)) {
    return `${CANNOT_JUDGE}${request} never reached the service: ${explainError(error)} (the network, DNS, TLS or the URL is at fault, not the app)`;
  }
  if (error.stage === 'response')
    return `${request} got no response headers: ${explainError(error)} (the app accepted the request but never answered)`;
  return `${request} failed: ${explainError(error)}`;
}

/** A probe error in words: the meaning of a known code, then the code and the message. */
export function explainError(error: ProbeError | undefined): string {
  if (!error) return 'no answer';
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'DNS lookup failed (temporary)',
    ETIMEDOUT: 'timed out',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EPIPE: 'the connection was closed while writing',
  };
  const meaning = error.code ? known[error.code] : undefined;
  const tls =
    error.code && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO)/.test(error.code);
  const label = meaning ?? (tls ? 'TLS failed' : undefined);
  const code = error.code ? `${error.code}, ` : '';
  return label ? `${label} (${code}${error.message})` : `${code}${error.message}`;
}

/** A probe error as a short label for a list of attempts: its code, else its message. */
export function errorLabel(error: ProbeError | undefined): string {
  return error?.code ?? (error ? error.message : 'no answer');
}

// What an unexpected status most likely means on Cloud Run, in the user's terms.
export function explainStatus(
  status: number,
  kind: 'stream' | 'websocket' | 'health' | 'http',
  path = '',
): string {
  const at = path ? ` for ${path}` : '';
  if (status === 401) {
    return `401 Unauthorized${at}: the request carried no valid ID token; a private service needs an ID token whose audience is the service URL (docs/platform.md "Private smoke requests")`;
  }
  if (status === 403) {
    return `403 Forbidden${at}: the identity is not allowed to invoke the service (grant roles/run.invoker) or the ID token's audience is not the service URL`;
  }
  if (status === 404) {
    const which = kind === 'health' ? 'health_path' : 'smoke_path';
    return `404 Not Found${at}: check the path (\`${which}\`), that the tag URL is right, and the service's ingress setting`;
  }
  if (status === 429) {
    return `429 Too Many Requests${at}: no instance was free to take the ${kind === 'websocket' ? 'socket' : 'request'}; raise concurrency or max instances`;
  }
  if (status === 200 && kind === 'websocket') {
    return `200 instead of 101${at}: the upgrade was not performed; the app does not speak WebSocket on this path, or end-to-end HTTP/2 is on (WebSockets need HTTP/1.1: docs/platform.md "WebSockets advice")`;
  }
  if (status >= 500) {
    return `${status}${at}: the service failed (the app crashed, failed to start, or timed out); see the revision's logs`;
  }
  if (status >= 300 && status < 400)
    return `${status} redirect${at}: the probe does not follow redirects; point it at the final URL`;
  const expected = kind === 'websocket' ? '101 Switching Protocols' : kind === 'stream' ? '200' : 'a 2xx';
  return `${status}${at}; expected ${expected}`;
}

/** A 2xx status. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** A detail without its cannot-judge prefix, for quoting inside another detail. */
export function stripCannotJudge(detail: string): string {
  return detail.startsWith(CANNOT_JUDGE) ? detail.slice(CANNOT_JUDGE.length) : detail;
}

/** The answers to the attempts, the middle elided when there are more than eight. */
export function listAttempts(answers: string[]): string {
  return answers.length > 8
    ? `${answers.slice(0, 3).join(', ')}, …, ${answers.slice(-4).join(', ')}`
    : answers.join(', ');
}

/** Milliseconds as people read them: `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatMs(ms: number): string {
  const rounded = Math.round(ms);
  if (Math.abs(rounded) < 1000) return `${rounded} ms`;
  if (Math.abs(rounded) < 60_000) return `${Math.round(rounded / 100) / 10} s`;
  const minutes = Math.floor(rounded / 60_000);
  const seconds = Math.round((rounded % 60_000) / 1000);
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** `event` -> `events`, `event or heartbeat` -> `events or heartbeats`. */
export function pluralNoun(noun: string): string {
  return noun
    .split(' or ')
    .map((w) => `${w}s`)
    .join(' or ');
}

/** The word with an `s` unless there is exactly one. */
export function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** Message text as a JSON string, cut to a readable length. */
export function quote(text: string): string {
  const cut = text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text;
  return JSON.stringify(cut);
}
