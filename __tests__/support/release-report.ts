// Release reports built by hand for the tests of the report text (src/core/report*.ts): a candidate with
// everything a release has, and passing or failing smoke results; each test overrides what it needs.
import type { ReleaseReport, ReportStep } from '../../src/core/report-types';
import type { SmokeResult } from '../../src/core/smoke-types';

export const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const;
export const TAG_URL = 'https://pr-12---api-abc123-uc.a.run.app';
export const SERVICE_URL = 'https://api-abc123-uc.a.run.app';
export const RUN_URL = 'https://github.com/acme/app/actions/runs/42';

/** A passing SSE smoke result. */
export function smoke(overrides: Partial<SmokeResult> = {}): SmokeResult {
  return {
    url: TAG_URL + '/events',
    protocol: 'sse',
    verdict: 'pass',
    checks: [
      { name: 'health', ok: true, detail: '200 after 1 attempt' },
      { name: 'first-event', ok: true, detail: 'first event after 85 ms (limit 5000 ms)' },
      { name: 'max-gap', ok: true, detail: 'largest gap 1010 ms (limit 15000 ms)' },
    ],
    metrics: {
      connectMs: 40,
      firstEventMs: 85,
      events: 24,
      largestGapMs: 1010,
      buffered: false,
      connectionsHeld: 2,
      connectionsTried: 2,
    },
    ...overrides,
  };
}

export const failedSmoke = () =>
  smoke({
    verdict: 'fail',
    checks: [
      { name: 'health', ok: true, detail: '200 after 1 attempt' },
      { name: 'not-buffered', ok: false, detail: 'all 24 events arrived in one burst after 10002 ms' },
    ],
    metrics: { ...smoke().metrics, buffered: true },
  });

export const step = (percent: number, status: ReportStep['status'], detail?: string): ReportStep => ({
  percent,
  status,
  ...(status === 'pending' ? {} : { at: '2025-03-01T12:0' + Math.min(9, percent / 10) + ':00Z' }),
  ...(detail ? { detail } : {}),
});

/** A report at `phase` with everything a candidate has; overrides for the case at hand. */
export function report(overrides: Partial<ReleaseReport> = {}): ReleaseReport {
  return {
    project: 'acme-prod',
    region: 'us-central1',
    service: 'api',
    image: 'us-docker.pkg.dev/acme-prod/app/api@sha256:0123456789abcdef',
    revision: 'api-00042',
    previousRevision: 'api-00041',
    tag: 'pr-12',
    tagUrl: TAG_URL,
    serviceUrl: SERVICE_URL,
    phase: 'candidate-up',
    findings: [],
    steps: [],
    traffic: [
      { type: REV, revision: 'api-00041', percent: 100 },
      { type: REV, revision: 'api-00042', percent: 0, tag: 'pr-12' },
    ],
    timings: [{ phase: 'deploy', ms: 42_000 }],
    timeoutSeconds: 3600,
    sessionAffinity: false,
    sha: '0123456789abcdef0123456789abcdef01234567',
    runUrl: RUN_URL,
    updatedAt: '2025-03-01T12:00:00Z',
    ...overrides,
  };
}
