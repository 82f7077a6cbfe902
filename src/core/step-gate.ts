// What a traffic step's gate probes and how it judges, as data: which URLs get a light smoke test, whether
// the service URL is sampled for the share, with criteria the gate's short window can meet, and the rule
// that turns failed sample requests into a verdict. Pure: the orchestrator (run.ts checkStep) does the I/O.
import type { DeployConfig } from './config';
import type { SmokeCriteria } from './smoke-types';

/** The longest a gate round watches a stream (the step's bake is made of such rounds). */
export const GATE_WINDOW_MS = 2000;
/** Requests per share sample. */
export const SAMPLE_SIZE = 40;
/** A sample fails on errors only with at least this many requests behind it... */
const MIN_ERROR_SAMPLE = 20;
/** ...and at least this many failed... */
const MIN_ERRORS = 3;
/** ...making more than this share of it. */
const MAX_ERROR_RATE = 0.05;

export interface GatePlan {
  /** Light smoke tests, each on its own URL. */
  probes: Array<{ label: string; url: string }>;
  /** The criteria of those tests, fitted to the gate's window; undefined when there are no probes. */
  light?: SmokeCriteria;
  /** Where the share is sampled (service URL + path), when it is. */
  sample?: { url: string; path: string };
  /** What the gate does not check, and why, for the log and the report. */
  notes: string[];
}

/**
 * The gate's probes for the release's settings. `smoke_protocol: none` probes nothing; `smoke_url` is
 * the only URL probed (the runner may not reach run.app) and the share is not sampled; an internal
 * service without `smoke_url` is not reachable from the runner at all.
 */
export function planGate(
  config: Pick<DeployConfig, 'smoke' | 'smokeUrl' | 'ingress'>,
  urls: { serviceUrl: string; tagUrl: string },
): GatePlan {
  const smoke = config.smoke;
  if (!smoke) return { probes: [], notes: ['not checked: `smoke_protocol: none`; the step only waits'] };
  const light = fitToWindow(smoke, GATE_WINDOW_MS);
  if (config.smokeUrl) {
    return {
      probes: [{ label: 'smoke URL', url: config.smokeUrl }],
      light,
      notes: ['share not checked: with `smoke_url` the service URL is not probed'],
    };
  }
  if (config.ingress && config.ingress !== 'all') {
    return {
      probes: [],
      notes: [`not checked: ingress \`${config.ingress}\` keeps the runner out; set \`smoke_url\``],
    };
  }
  const probes = [
    { label: 'tag URL', url: urls.tagUrl },
    { label: 'service URL', url: urls.serviceUrl },
  ];
  if (smoke.protocol === 'grpc')
    return {
      probes,
      light,
      notes: ['share not checked: the share sample is plain HTTP, which a gRPC server does not answer'],
    };
  return {
    probes,
    light,
    // The health path answers at once; the stream path is sampled by its headers alone.
    sample: { url: urls.serviceUrl, path: smoke.healthPath || smoke.path || '/' },
    notes: [],
  };
}

/**
 * The smoke criteria for a watch of `windowMs` at most: one connection, no reconnect or health check, and
 * `minEvents` scaled to the window, so a gate never asks for a count its window cannot reach (an app that
 * sends one event a second meets 3 events in 10 s, not in 2 s).
 */
export function fitToWindow(criteria: SmokeCriteria, windowMs: number): SmokeCriteria {
  const durationMs = Math.min(criteria.durationMs, windowMs);
  const minEvents =
    criteria.minEvents === 0
      ? 0
      : Math.max(1, Math.floor((criteria.minEvents * durationMs) / criteria.durationMs));
  return { ...criteria, durationMs, minEvents, connections: 1, checkReconnect: false, healthPath: '' };
}

/**
 * Failed requests in a share sample fail a round only as a rate (more than 5 %, at least 3 failures, at
 * least 20 requests): one failed request on a busy runner or a flaky network says nothing about the app.
 */
export function judgeSampleErrors(sample: { total: number; errors: number }): {
  ok: boolean;
  detail?: string;
} {
  const n = sample.total + sample.errors;
  if (sample.errors === 0) return { ok: true };
  const rate = sample.errors / n;
  const detail = `${sample.errors} of ${n} sampled requests failed (${(rate * 100).toFixed(1)} %)`;
  if (n >= MIN_ERROR_SAMPLE && sample.errors >= MIN_ERRORS && rate > MAX_ERROR_RATE)
    return { ok: false, detail };
  return { ok: true, detail: `${detail}: under the threshold (more than 5 % and at least 3)` };
}

/**
 * The sample's failed requests, judged as the candidate's. When the app names its revision (X-Revision on
 * its answers), only the answers the candidate gave count: a failure no revision signed (a timeout, the
 * front end's own 503, the network) or the baseline signed is shared noise that the tag URL's light test
 * and the panel's probes judge against the baseline, and a loaded runner or a platform's background errors
 * must not fail the candidate for it. An app that does not name its revision is judged on every failure.
 */
export function judgeCandidateErrors(sample: {
  total: number;
  candidate: number;
  unidentified: number;
  errors: number;
  candidateErrors?: number;
}): { ok: boolean; detail?: string } {
  if (sample.total <= sample.unidentified) return judgeSampleErrors(sample);
  const own = sample.candidateErrors ?? 0;
  const judged = judgeSampleErrors({ total: sample.candidate, errors: own });
  const others = sample.errors - own;
  if (others === 0) return judged;
  const shared = `${others} of ${sample.total + sample.errors} sampled requests failed without the candidate's X-Revision (the front end, the network or the baseline): not the candidate's, not judged`;
  return { ok: judged.ok, detail: judged.detail ? `${judged.detail} of the candidate's; ${shared}` : shared };
}
