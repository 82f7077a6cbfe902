// The questions only Google can settle, each next to what the emulator (and so every test of the action)
// assumes: the rows of the live-check report, and what a check reports for one of them.
import type { Agreement } from './report';

/** What a check saw for one question. Without `agrees`, it agrees when `observed` equals the assumption. */
export interface Observation {
  observed: string;
  agrees?: Agreement;
  note?: string;
}

export type Observe = (id: string, observation: Observation) => void;

/** One row of the table: the emulator's assumption, the group of checks that observes it. */
export interface Question {
  id: string;
  group: string;
  check: string;
  assumes: string;
}

export const GOOGLE_404 = "Google's 404 page (the app never sees it)";
export const APP_ANSWERS = 'the app answers';
export const IMMEDIATE = '0 s (at once)';
export const TIMESTAMP_AT_START = 'start (arrival), written when it ends';
/** The metric gate's ingestion delay (src/core/metric-gate.ts INGESTION_DELAY_MS); the emulator's is configured. */
export const METRICS_DELAY_S = 180;
export const METRICS_WITHIN = `at most ${METRICS_DELAY_S} s (about 3 min)`;

/** The emulator's assumptions, in report order (sources: docs/platform.md and emulator/README.md). */
export const QUESTIONS: Question[] = [
  { id: '1a', group: 'base', check: 'GET /healthz on the service URL', assumes: GOOGLE_404 },
  { id: '1b', group: 'base', check: 'GET /health on the service URL', assumes: APP_ANSWERS },
  {
    id: '2a',
    group: 'sticky',
    check: 'a revision whose startup probe targets a wrong port (9999, container 8080)',
    assumes: 'revision fails',
  },
  {
    id: '2b',
    group: 'sticky',
    check: 'after that failure, PATCH updateMask=traffic moving a tag',
    assumes: 'operation error, traffic applied',
  },
  {
    id: '3a',
    group: 'mask',
    check: 'PATCH without updateMask, body only `traffic`',
    assumes: 'refused: HTTP 400 INVALID_ARGUMENT',
  },
  {
    id: '3b',
    group: 'mask',
    check: 'PATCH without updateMask, body = echoed template + traffic (no description/labels)',
    assumes: 'description and labels reset',
  },
  {
    id: '3c',
    group: 'mask',
    check: 'PATCH updateMask=traffic, body only `traffic`',
    assumes: 'description and labels kept',
  },
  {
    id: '4a',
    group: 'port',
    check: 'startup probe read back after creating with containerPort 8080 and no probe',
    assumes: 'tcpSocket.port 8080',
  },
  {
    id: '4b',
    group: 'port',
    check: 'containerPort 8081, the read-back probe echoed unchanged',
    assumes: 'revision fails',
  },
  {
    id: '4c',
    group: 'port',
    check: 'containerPort 8081, the probe moved to 8081',
    assumes: 'revision ready',
  },
  {
    id: '5',
    group: 'shift',
    check:
      "seconds from a traffic update's operation done to 100 of 100 consecutive answers from the new target",
    assumes: IMMEDIATE,
  },
  {
    id: '6a',
    group: 'public',
    check: 'seconds from PATCH updateMask=invokerIamDisabled (true) done to an unauthenticated 200',
    assumes: IMMEDIATE,
  },
  {
    id: '6b',
    group: 'iam',
    check: 'seconds from setIamPolicy (allUsers as roles/run.invoker) to an unauthenticated 200',
    assumes: IMMEDIATE,
  },
  {
    id: '7',
    group: 'base',
    check: 'an ID token with audience Service.uri, sent to a tag URL',
    assumes: 'HTTP 200',
  },
  {
    id: '8',
    group: 'base',
    check: 'PATCH with an etag read before a later update',
    assumes: 'HTTP 409 ABORTED',
  },
  {
    id: '9',
    group: 'base',
    check: 'Service.urls[]',
    assumes: '2 URLs, Service.uri among them',
  },
  {
    id: '10a',
    group: 'observability',
    check:
      'request log `timestamp` of an SSE stream held open (20 s against Google), and when the entry is written',
    assumes: TIMESTAMP_AT_START,
  },
  {
    id: '10b',
    group: 'observability',
    check: 'request log `severity` of an HTTP 5xx answered by the app',
    assumes: 'ERROR',
  },
  {
    id: '10c',
    group: 'observability',
    check:
      "request log `severity` of an HTTP 4xx answered by the app (else the front end's 403 to a request without a token)",
    assumes: 'WARNING',
  },
  {
    id: '10d',
    group: 'observability',
    check: "seconds from a request's end until run.googleapis.com/request_count (timeSeries.list) counts it",
    assumes: METRICS_WITHIN,
  },
];
