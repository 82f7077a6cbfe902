// Recovery of an unfinished release (the post step after a cancelled job; `stream-deploy rollback`) against
// an in-memory Cloud Run whose traffic really changes, and the final report after it; against the emulator in
// recover.emulator.test.ts.
import { ConcurrentChange } from '../src/errors';
import { trafficKey } from '../src/core/traffic-plan';
import type { CloudRunPort } from '../src/ports';
import type { CloudRunService, TrafficTarget } from '../src/core/cloud-run-types';
import {
  decodeRecord,
  encodeRecord,
  RECORD_ANNOTATION,
  type ReleaseRecord,
} from '../src/core/release-record';
import { StepError } from '../src/errors';
import { describeTraffic } from '../src/core/traffic-format';
import { recoverRelease, reportAfterRecovery, type RecoveryOutcome } from '../src/recover';
import type { ReleaseReport } from '../src/core/report-types';
import { AT_50, BASELINE, FINAL, NAME, REV, memoryLog, record } from './support/unfinished-release';

/** A Cloud Run that keeps state: setTraffic really changes the traffic, merges annotations and honours expectTraffic. */
class FakeCloudRun implements CloudRunPort {
  service?: CloudRunService;
  steps: string[] = [];
  /** Runs at the start of setTraffic: another writer, or a failure. */
  beforeSet?: () => void;
  /** Stores something other than what was asked (a platform that normalised the traffic). */
  drift?: (traffic: TrafficTarget[]) => TrafficTarget[];

  seed(traffic: TrafficTarget[], annotations?: Record<string, string>): this {
    this.service = { name: NAME, template: { containers: [{ image: 'img' }] }, traffic, annotations };
    return this;
  }

  async getService() {
    this.steps.push('get');
    return this.service ? structuredClone(this.service) : undefined;
  }

  async setTraffic(
    name: string,
    traffic: TrafficTarget[],
    options: { expectTraffic?: TrafficTarget[]; annotations?: Record<string, string> } = {},
  ) {
    this.steps.push('setTraffic');
    this.beforeSet?.();
    const live = this.service as CloudRunService;
    if (options.expectTraffic && trafficKey(live.traffic) !== trafficKey(options.expectTraffic))
      throw new ConcurrentChange({
        operation: 'set traffic on',
        target: name,
        cause: 'someone else changed its traffic',
        hint: '',
      });
    this.service = {
      ...live,
      traffic: structuredClone(this.drift ? this.drift(traffic) : traffic),
      annotations: { ...(live.annotations ?? {}), ...(options.annotations ?? {}) },
    };
    return structuredClone(this.service);
  }

  applyService(): Promise<CloudRunService> {
    throw new Error('not used by recovery');
  }
  async revisionFailure() {
    return undefined;
  }
  async revisionDigest() {
    return undefined;
  }
  setPublicAccess(): Promise<'unchanged'> {
    throw new Error('not used by recovery');
  }
  hasPublicBinding(): Promise<boolean> {
    throw new Error('not used by recovery');
  }
  async close() {}
}

const recordOn = (svc: CloudRunService | undefined) => decodeRecord(svc?.annotations?.[RECORD_ANNOTATION]);

describe('recoverRelease (in-memory Cloud Run)', () => {
  it('restores the exact baseline when the job stopped at step 2 of 3, marks the record rolled back, and says why', async () => {
    const r = record();
    const cloudRun = new FakeCloudRun().seed(AT_50, {
      [RECORD_ANNOTATION]: encodeRecord(r),
      team: 'streams',
    });
    const log = memoryLog();
    const outcome = await recoverRelease(r, 'auto', { cloudRun, log });

    expect(outcome).toEqual({
      action: 'restore',
      ok: true,
      traffic: BASELINE,
      phase: 'rolled-back',
      message: expect.any(String),
    });
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
    expect(cloudRun.steps).toEqual(['get', 'setTraffic', 'get']);
    expect(recordOn(cloudRun.service)).toEqual({ ...r, phase: 'rolled-back' });
    expect(cloudRun.service?.annotations?.team).toBe('streams');
    expect(outcome.message).toBe(
      'The rollout of api-00003 stopped at step 2 of 3 (50 %), verified through step 1, so the baseline is restored. ' +
        `Traffic on ${NAME} is now api-00001 70 %, api-00002 30 % (tag blue) (read back and verified).`,
    );
    expect(log.lines.join('\n')).toContain(
      'Traffic now: api-00003 50 %, api-00001 35 %, api-00002 15 % (tag blue), tag candidate -> api-00003',
    );
  });

  it('restores the baseline when the job stopped before the first traffic step (no annotation written yet)', async () => {
    const r = record({ step: -1, verifiedStep: -1 });
    const candidateTagged = [...BASELINE, { type: REV, revision: 'api-00003', percent: 0, tag: 'candidate' }];
    const cloudRun = new FakeCloudRun().seed(candidateTagged);
    const outcome = await recoverRelease(r, 'auto', { cloudRun, log: memoryLog() });
    expect(outcome.ok).toBe(true);
    expect(outcome.message).toMatch(/before the first traffic step/);
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
  });

  it('finishes the promotion when the last step (100 %) had passed its checks', async () => {
    const r = record({ step: 2, verifiedStep: 2 });
    const cloudRun = new FakeCloudRun().seed(FINAL.slice(0, 2), { [RECORD_ANNOTATION]: encodeRecord(r) });
    const outcome = await recoverRelease(r, 'auto', { cloudRun, log: memoryLog() });
    expect(outcome).toMatchObject({ action: 'finish', ok: true, traffic: FINAL });
    expect(cloudRun.service?.traffic).toEqual(FINAL);
    expect(recordOn(cloudRun.service)?.phase).toBe('promoted');
    expect(outcome.message).toMatch(
      /^The last step \(100 %\) had passed its checks, so the promotion is finished\./,
    );
  });

  it.each<[string, ReleaseRecord | undefined, RegExp]>([
    ['no record', undefined, /^Nothing to restore: no release record was found\.$/],
    ['a promoted release', record({ phase: 'promoted' }), /already ended \(promoted\)/],
    ['a rolled-back release', record({ phase: 'rolled-back' }), /already ended \(rolled-back\)/],
  ])('does nothing, without a Cloud Run call, for %s', async (_case, r, message) => {
    const cloudRun = new FakeCloudRun().seed(AT_50);
    const outcome = await recoverRelease(r, 'auto', { cloudRun, log: memoryLog() });
    expect(outcome).toEqual({
      action: 'nothing',
      ok: true,
      ...(r && { phase: r.phase }),
      message: expect.stringMatching(message),
    });
    expect(cloudRun.steps).toEqual([]);
  });

  it('does nothing when the service records that this release already ended (main finished, state not yet saved)', async () => {
    const r = record();
    const cloudRun = new FakeCloudRun().seed(BASELINE, {
      [RECORD_ANNOTATION]: encodeRecord({ ...r, phase: 'rolled-back' }),
    });
    const outcome = await recoverRelease(r, 'auto', { cloudRun, log: memoryLog() });
    // Where the release ended and the traffic read, so the post step's report can say so.
    expect(outcome).toEqual({
      action: 'nothing',
      ok: true,
      phase: 'rolled-back',
      traffic: BASELINE,
      message: expect.stringMatching(/already ended \(rolled-back\)/),
    });
    expect(cloudRun.steps).toEqual(['get']);
  });

  it('rolls back by hand (mode rollback) even after a promotion, restoring the recorded baseline', async () => {
    const r = record({ phase: 'promoted', step: 2, verifiedStep: 2 });
    const cloudRun = new FakeCloudRun().seed(FINAL, { [RECORD_ANNOTATION]: encodeRecord(r) });
    const outcome = await recoverRelease(r, 'rollback', { cloudRun, log: memoryLog() });
    expect(outcome).toMatchObject({ action: 'restore', ok: true, traffic: BASELINE });
    expect(cloudRun.service?.traffic).toEqual(BASELINE);
    expect(recordOn(cloudRun.service)?.phase).toBe('rolled-back');
    expect(outcome.message).toMatch(
      /^Restored the baseline recorded before api-00003 \(acme\/streams@0123abc run 1001 attempt 1\)\./,
    );
  });

  it('leaves the traffic alone when another release has recorded itself on the service since', async () => {
    const r = record();
    const other = record({
      candidate: 'api-00004',
      startedAt: '2025-01-01T00:05:00.000Z',
      origin: 'acme/streams@def run 1002 attempt 1',
    });
    const theirs = [
      { type: REV, revision: 'api-00004', percent: 10 },
      { type: REV, revision: 'api-00001', percent: 63 },
      { type: REV, revision: 'api-00002', percent: 27, tag: 'blue' },
    ];
    const cloudRun = new FakeCloudRun().seed(theirs, { [RECORD_ANNOTATION]: encodeRecord(other) });
    const outcome = await recoverRelease(r, 'auto', { cloudRun, log: memoryLog() });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(
      /left as it is: another release \(api-00004, acme\/streams@def run 1002 attempt 1, rolling-out\)/,
    );
    expect(outcome.message).toMatch(/concurrency:/);
    expect(cloudRun.steps).toEqual(['get']);
    expect(cloudRun.service?.traffic).toEqual(theirs);
  });

  it('does not overwrite traffic changed between its read and its write (docs/platform.md "Optimistic concurrency")', async () => {
    const r = record();
    const cloudRun = new FakeCloudRun().seed(AT_50);
    const meddled = [{ type: REV, revision: 'api-00001', percent: 100 }];
    cloudRun.beforeSet = () => ((cloudRun.service as CloudRunService).traffic = meddled);
    const outcome = await recoverRelease(r, 'auto', { cloudRun, log: memoryLog() });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^Could not restore the baseline of .*someone else changed its traffic/);
    expect(cloudRun.service?.traffic).toEqual(meddled);
  });

  it('fails with the cause and the gcloud command to do it by hand when the update fails', async () => {
    const cloudRun = new FakeCloudRun().seed(AT_50);
    cloudRun.beforeSet = () => {
      throw new StepError({
        operation: 'set traffic on',
        target: NAME,
        cause: 'PERMISSION_DENIED',
        hint: 'Grant roles/run.developer.',
      });
    };
    const outcome = await recoverRelease(record(), 'auto', { cloudRun, log: memoryLog() });
    expect(outcome).toEqual({ action: 'restore', ok: false, message: expect.any(String) });
    expect(outcome.message).toContain('Failed to set traffic on');
    expect(outcome.message).toContain('PERMISSION_DENIED');
    expect(outcome.message).toContain(
      'gcloud run services update-traffic api --region=us-central1 --project=p-1234 --to-revisions=api-00001=70,api-00002=30 --set-tags=blue=api-00002',
    );
    expect(cloudRun.service?.traffic).toEqual(AT_50);
  });

  it('fails when the traffic read back is not what it set', async () => {
    const cloudRun = new FakeCloudRun().seed(AT_50);
    cloudRun.drift = (traffic) => traffic.map(({ tag: _tag, ...t }) => t);
    const outcome = await recoverRelease(record(), 'auto', { cloudRun, log: memoryLog() });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/after the update its traffic reads api-00001 70 %, api-00002 30 %\./);
  });

  it('fails when the service no longer exists', async () => {
    const outcome = await recoverRelease(record(), 'auto', {
      cloudRun: new FakeCloudRun(),
      log: memoryLog(),
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/the service no longer exists/);
  });
});

describe('reportAfterRecovery: the final report after the post step', () => {
  const inProgress: ReleaseReport = {
    project: 'p-1234',
    region: 'us-central1',
    service: 'api',
    image: 'img:3',
    revision: 'api-00003',
    tag: 'candidate',
    phase: 'rolling-out',
    findings: [],
    steps: [
      { percent: 10, status: 'verified' },
      { percent: 50, status: 'shifted' },
      { percent: 100, status: 'pending' },
    ],
    traffic: AT_50,
    timings: [],
    timeoutSeconds: 3600,
    sessionAffinity: false,
    sha: '0123abc',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
  const restored: RecoveryOutcome = {
    action: 'restore',
    ok: true,
    traffic: BASELINE,
    phase: 'rolled-back',
    message:
      'The rollout of api-00003 stopped at step 2 of 3 (50 %), so the baseline is restored. Traffic on api is now api-00001 70 %.',
  };

  test.each<[string, ReleaseReport, RecoveryOutcome, Partial<ReleaseReport> | undefined]>([
    [
      'baseline restored: rolled back, traffic as restored, the line says the run stopped and where traffic is',
      inProgress,
      restored,
      {
        phase: 'rolled-back',
        traffic: BASELINE,
        failure:
          'The main step was cancelled or stopped before it finished. The post step took over: the rollout of api-00003 stopped at step 2 of 3 (50 %), so the baseline is restored. Traffic on api is now api-00001 70 %.',
      },
    ],
    [
      'promotion finished: promoted',
      inProgress,
      { action: 'finish', ok: true, traffic: FINAL, phase: 'promoted', message: 'The last step had passed.' },
      {
        phase: 'promoted',
        traffic: FINAL,
        failure:
          'The main step was cancelled or stopped before it finished. The post step took over: the last step had passed.',
      },
    ],
    [
      'recovery failed: failed, no traffic claimed, the manual fix in the line',
      inProgress,
      {
        action: 'restore',
        ok: false,
        message: 'Could not restore the baseline of api: boom. To set it by hand: gcloud …',
      },
      {
        phase: 'failed',
        traffic: undefined,
        failure:
          'The main step was cancelled or stopped before it finished. Could not restore the baseline of api: boom. To set it by hand: gcloud …',
      },
    ],
    [
      'no record (stopped before any Cloud Run change): failed, changed nothing',
      { ...inProgress, phase: 'planned', steps: [], traffic: undefined },
      { action: 'nothing', ok: true, message: 'Nothing to restore: no release record was found.' },
      {
        phase: 'failed',
        changedNothing: true,
        traffic: undefined,
        failure:
          'The main step was cancelled or stopped before it finished. It had changed nothing on Cloud Run: traffic is as it was before this run.',
      },
    ],
    [
      'the service records the release ended (promoted) before the report did',
      inProgress,
      { action: 'nothing', ok: true, phase: 'promoted', traffic: FINAL, message: 'Nothing to restore.' },
      {
        phase: 'promoted',
        traffic: FINAL,
        failure: `The main step was cancelled or stopped before it finished. The release had already ended on Cloud Run (promoted) before its report was final. Traffic now: ${describeTraffic(FINAL)}.`,
      },
    ],
    [
      'main had reached its end but not sent it: sent as it is',
      { ...inProgress, phase: 'rolled-back' },
      { action: 'nothing', ok: true, phase: 'rolled-back', message: 'Nothing to restore.' },
      undefined,
    ],
  ])('%s', (_case, report, outcome, expected) => {
    expect(reportAfterRecovery(report, outcome)).toEqual(expected);
  });
});
