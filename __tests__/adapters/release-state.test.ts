// The release record through the runner's step state, the way the runner carries it from main to post
// (docs/platform.md "Step state size": core.saveState appends to the GITHUB_STATE file; the runner then
// gives the post step each saved name as STATE_<name>). Real @actions/core, real files, no mocks.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  decodeReportSnapshot,
  encodeReportSnapshot,
  loadRecord,
  loadReport,
  RELEASE_STATE,
  REPORT_STATE,
  REPORT_STATE_BUDGET,
  saveRecord,
  saveReport,
  type ReportSnapshot,
} from '../../src/adapters/release-state';
import type { ReleaseRecord } from '../../src/core/release-record';
import type { ReleaseReport } from '../../src/core/report-types';

const record: ReleaseRecord = {
  version: 1,
  service: 'projects/p/locations/us-central1/services/api',
  candidate: 'api-00002',
  tag: 'candidate',
  restoreTraffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00001', percent: 100 }],
  finalTraffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00002', percent: 100 }],
  stepPercents: [10, 50, 100],
  step: 1,
  verifiedStep: 0,
  phase: 'rolling-out',
  startedAt: '2025-01-01T00:00:00.000Z',
  origin: 'acme/streams@abc run 1 attempt 1',
};

// What the runner does between the steps: the last value written for each name in the GITHUB_STATE file.
function readStateFile(file: string): Record<string, string> {
  const state: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!heredoc) continue;
    const end = lines.indexOf(heredoc[2], i + 1);
    state[heredoc[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return state;
}

describe('release state (runner step state)', () => {
  const saved = { ...process.env };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'release-state-'));
    process.env.GITHUB_STATE = path.join(dir, 'state');
    writeFileSync(process.env.GITHUB_STATE, '');
    delete process.env[`STATE_${RELEASE_STATE}`];
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries the record from main (saveRecord) to post (loadRecord), the last save winning', () => {
    saveRecord({ ...record, step: 0, verifiedStep: -1 });
    saveRecord(record);
    const state = readStateFile(process.env.GITHUB_STATE as string);
    expect(Object.keys(state)).toEqual([RELEASE_STATE]);
    process.env[`STATE_${RELEASE_STATE}`] = state[RELEASE_STATE];
    expect(loadRecord()).toEqual(record);
  });

  it.each([
    ['no state saved (main never started a rollout)', undefined],
    ['an empty state', ''],
    ['a state that is not a record', '{"version":1'],
    ['a record from another version', JSON.stringify({ ...record, version: 2 })],
  ])('loads nothing from %s', (_case, value) => {
    if (value !== undefined) process.env[`STATE_${RELEASE_STATE}`] = value;
    expect(loadRecord()).toBeUndefined();
  });
});

const report: ReleaseReport = {
  project: 'p',
  region: 'us-central1',
  service: 'api',
  image: 'us-docker.pkg.dev/p/r/api:2',
  revision: 'api-00002',
  tag: 'candidate',
  phase: 'rolling-out',
  findings: [],
  steps: [
    { percent: 10, status: 'verified' },
    { percent: 50, status: 'shifted' },
    { percent: 100, status: 'pending' },
  ],
  timings: [{ phase: 'planned', ms: 1200 }],
  timeoutSeconds: 3600,
  sessionAffinity: false,
  sha: '0123456',
  updatedAt: '2025-01-01T00:00:00.000Z',
};
const snapshot: ReportSnapshot = { report, deploymentId: 42, phaseStartedAt: 1_000, final: false };

describe('report snapshot (runner step state)', () => {
  const saved = { ...process.env };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'report-state-'));
    process.env.GITHUB_STATE = path.join(dir, 'state');
    writeFileSync(process.env.GITHUB_STATE, '');
    delete process.env[`STATE_${REPORT_STATE}`];
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries the last snapshot, with its deployment id, from main (saveReport) to post (loadReport)', () => {
    saveReport({ ...snapshot, deploymentId: undefined, report: { ...report, phase: 'planned' } });
    saveReport(snapshot);
    const state = readStateFile(process.env.GITHUB_STATE as string);
    process.env[`STATE_${REPORT_STATE}`] = state[REPORT_STATE];
    expect(loadReport()).toEqual(snapshot);
  });

  it('stays within its budget by leaving out what the final report can do without, and keeps where the release is', () => {
    const big: ReleaseReport = {
      ...report,
      changes: Array.from({ length: 2000 }, (_, i) => ({ setting: `env.VAR_${i}`, live: 'a', next: 'b' })),
      findings: Array.from({ length: 200 }, (_, i) => ({
        rule: 'r',
        severity: 'warning' as const,
        message: `finding ${i} `.repeat(10),
        source: 's',
      })),
    };
    const text = encodeReportSnapshot({ ...snapshot, report: big });
    expect(text.length).toBeLessThanOrEqual(REPORT_STATE_BUDGET);
    process.env[`STATE_${REPORT_STATE}`] = text;
    const back = loadReport();
    expect({
      phase: back?.report.phase,
      steps: back?.report.steps,
      deploymentId: back?.deploymentId,
    }).toEqual({
      phase: 'rolling-out',
      steps: report.steps,
      deploymentId: 42,
    });
  });

  it("a multi-region release's report fits too: the regions' steps lose their gates' numbers first", () => {
    const gates = {
      checks: [],
      decision: 'pass: '.padEnd(3000, 'x'),
    };
    const steps = [10, 50, 100].map((percent) => ({ percent, status: 'verified' as const, gates }));
    const wide: ReleaseReport = {
      ...report,
      steps,
      regions: ['us-central1', 'europe-west1', 'asia-east1', 'us-east1', 'europe-west4'].map((region, i) => ({
        region,
        wave: i === 0 ? 1 : 2,
        phase: 'promoted' as const,
        steps,
      })),
    };
    expect(JSON.stringify(wide).length).toBeGreaterThan(REPORT_STATE_BUDGET * 2);
    const text = encodeReportSnapshot({ ...snapshot, report: wide });
    expect(text.length).toBeLessThanOrEqual(REPORT_STATE_BUDGET);
    const back = decodeReportSnapshot(text)!.report;
    expect(back.regions?.map((r) => [r.region, r.steps.map((s) => s.status)])).toEqual(
      wide.regions!.map((r) => [r.region, ['verified', 'verified', 'verified']]),
    );
  });

  it.each([
    ['no snapshot saved', undefined],
    ['a state that is not JSON', '{"report"'],
    ['a snapshot without a report', JSON.stringify({ phaseStartedAt: 1, final: false })],
    ['a snapshot with a bad deployment id', JSON.stringify({ ...snapshot, deploymentId: 'x' })],
  ])('loads nothing from %s', (_case, value) => {
    if (value !== undefined) process.env[`STATE_${REPORT_STATE}`] = value;
    expect(loadReport()).toBeUndefined();
  });
});
