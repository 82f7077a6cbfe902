// Shared by the Monitoring and Logging fake tests: one emulator per file, real access tokens from the
// WIF chain (the deployer's, impersonated; or the federated principal's, which holds no roles), and the
// two APIs called over real HTTP the way Google's REST endpoints are.
import type { IdentityPoolClient } from 'google-auth-library';
import { startEmulator, type Emulator } from '../../../emulator/emulator';
import { wifClient } from '../../../emulator/clients';

export const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
export let emulator: Emulator;
let deployer: IdentityPoolClient;
let federated: IdentityPoolClient;

export type Json = Record<string, any>;

/** Starts the emulator before the file's tests, stops it after; resets faults after each test. */
export function useObservabilityEmulator(): void {
  beforeAll(async () => {
    emulator = await startEmulator({ startupDeadlineMs: 5000 });
    deployer = wifClient(emulator.endpoints);
    federated = wifClient(emulator.endpoints, true);
  });
  afterAll(async () => emulator?.stop());
  afterEach(() => emulator.faults.reset());
}

/** An access token: the deployer's (holds both viewer roles) or the federated principal's (holds none). */
export async function token(who: 'deployer' | 'federated' = 'deployer'): Promise<string> {
  const { token: value } = await (who === 'deployer' ? deployer : federated).getAccessToken();
  return value as string;
}

/** `GET {monitoringApi}/v3/projects/P/timeSeries?…`, repeated params as repeated keys. */
export async function timeSeries(
  params: Array<[string, string]>,
  who: 'deployer' | 'federated' = 'deployer',
): Promise<{ status: number; json: Json }> {
  const e = emulator.endpoints;
  const qs = new URLSearchParams(params).toString();
  const res = await fetch(`${e.monitoringApi}/v3/projects/${e.project}/timeSeries?${qs}`, {
    headers: { authorization: `Bearer ${await token(who)}` },
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** `POST {loggingApi}/v2/entries:list` with `body`. */
export async function entries(
  body: Json,
  who: 'deployer' | 'federated' = 'deployer',
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${emulator.endpoints.loggingApi}/v2/entries:list`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token(who)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** The filter of a Cloud Run metric for one service, plus extra clauses. */
export function metricFilter(metric: string, service: string, ...extra: string[]): string {
  return [
    `metric.type = "run.googleapis.com/${metric}"`,
    'resource.type = "cloud_run_revision"',
    `resource.labels.service_name = "${service}"`,
    'resource.labels.location = "us-central1"',
    ...extra,
  ].join(' AND ');
}

/** The last 10 minutes up to now, with a 10-minute alignment (one aligned point), as query params. */
export function lastMinutes(
  aligner?: string,
  reducer?: string,
  groupBy: string[] = [],
): Array<[string, string]> {
  const end = new Date();
  const start = new Date(end.getTime() - 600_000);
  return [
    ['interval.startTime', start.toISOString()],
    ['interval.endTime', end.toISOString()],
    ...(aligner
      ? ([
          ['aggregation.alignmentPeriod', '600s'],
          ['aggregation.perSeriesAligner', aligner],
        ] as Array<[string, string]>)
      : []),
    ...(reducer ? ([['aggregation.crossSeriesReducer', reducer]] as Array<[string, string]>) : []),
    ...groupBy.map((field) => ['aggregation.groupByFields', field] as [string, string]),
  ];
}

/** Reads an SSE response to its end; resolves with the ms it stayed open. */
export async function drain(res: Response): Promise<void> {
  const reader = res.body!.getReader();
  for (;;) if ((await reader.read()).done) return;
}
