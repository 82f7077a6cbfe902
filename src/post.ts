// Post step: runs after the job's steps even when main failed, was cancelled or timed out
// (docs/platform.md "Post step"). A composition root like main.ts: when the record main saved says a rollout was under
// way and not finished, it builds the same auth and Cloud Run adapters and lets recoverRelease restore the
// baseline (or finish a promotion whose last step had passed). When main stopped before its report was
// final, it publishes the final report on the same channels (the same comment, the same deployment).
// Its own entry point, so it fails its own step.
import * as core from '@actions/core';
import { planRecovery } from './core/release-record';
import {
  loadRecord,
  loadRegionRecord,
  loadRegions,
  loadReport,
  regionReportState,
  type ReportSnapshot,
} from './adapters/release-state';
import { readActionConfig } from './adapters/action-config';
import { actionsLog, regionLog } from './adapters/log';
import type { RecoveryOutcome } from './recover';
import type { DeployConfig, RunContext } from './core/config';

async function post(): Promise<void> {
  // `mode: job`: an execution main started and did not see end (the workflow was cancelled) is cancelled,
  // and its comment and deployment say so.
  const execution = core.getState('job_execution');
  if (execution) return cancelExecution(execution);
  // A multi-region release that did not end as planned: every touched region back to its baseline.
  const regions = loadRegions();
  if (regions && !regions.ended) return recoverRegions(regions.regions);
  const record = loadRecord();
  const recovery = planRecovery(record, 'auto');
  // A report main left in progress; one main finished (or never started) is not this step's to touch.
  const snapshot = loadReport();
  const unreported = snapshot !== undefined && !snapshot.final ? snapshot : undefined;
  if (recovery.action === 'nothing' && !unreported) {
    core.info(`Nothing to restore: ${recovery.reason}.`);
    return;
  }
  let failure: string | undefined;
  let summary: string;
  let read: { config: Readonly<DeployConfig>; context: RunContext } | undefined;
  let outcome: RecoveryOutcome | undefined;
  try {
    read = await readActionConfig();
    const { config } = read;
    const { recoverRelease, nothingToRecover } = await import('./recover');
    if (recovery.action === 'nothing') {
      outcome = nothingToRecover(record, recovery.reason);
    } else {
      const { connectGoogleCloud } = await import('./adapters/google-cloud');
      const { cloudRun } = await connectGoogleCloud({
        ...config,
        env: process.env,
        mask: (secret) => core.setSecret(secret),
        log: (line) => core.info(line),
      });
      try {
        outcome = await core.group('Recover the interrupted release', () =>
          recoverRelease(record, 'auto', { cloudRun, log: actionsLog() }),
        );
      } finally {
        await cloudRun.close();
      }
    }
    if (outcome.ok) core.info(outcome.message);
    else failure = outcome.message;
    summary = outcome.message;
  } catch (error) {
    failure = `Could not recover the interrupted release: ${error instanceof Error ? error.message : String(error)}`;
    summary = failure;
  }
  if (unreported && read) {
    await finishReport(read.config, read.context, unreported, outcome ?? failedOutcome(failure));
  }
  await writeSummary(`stream-deploy post step: ${summary}`);
  if (failure !== undefined) core.setFailed(failure);
}

/**
 * The post step of a multi-region release main did not end as planned (cancelled mid-wave, or a rollback
 * that failed): each region whose record says its candidate was staged, moving or promoted is set back to
 * the baseline it recorded (docs/platform.md "Post step"), in parallel; the report says which were.
 */
async function recoverRegions(regions: string[]): Promise<void> {
  const touched = regions
    .map((region) => ({ region, record: loadRegionRecord(region) }))
    .filter(({ record }) => record && ['deploying', 'rolling-out', 'promoted'].includes(record.phase));
  const snapshot = loadReport();
  const unreported = snapshot !== undefined && !snapshot.final ? snapshot : undefined;
  if (touched.length === 0 && !unreported) {
    core.info(`Nothing to restore: no region of ${regions.join(', ')} records a release under way.`);
    return;
  }
  let outcomes: Array<{ region: string; outcome: RecoveryOutcome }> = [];
  let read: { config: Readonly<DeployConfig>; context: RunContext } | undefined;
  let failure: string | undefined;
  try {
    read = await readActionConfig();
    const { recoverRelease } = await import('./recover');
    const { connectGoogleCloud } = await import('./adapters/google-cloud');
    const { cloudRun } = await connectGoogleCloud({
      ...read.config,
      env: process.env,
      mask: (secret) => core.setSecret(secret),
      log: (line) => core.info(line),
    });
    try {
      outcomes = await core.group('Recover the interrupted multi-region release', () =>
        Promise.all(
          touched.map(async ({ region, record }) => ({
            region,
            outcome: await recoverRelease(record, 'rollback', {
              cloudRun,
              log: regionLog(actionsLog(), region),
            }),
          })),
        ),
      );
    } finally {
      await cloudRun.close();
    }
    for (const { region, outcome } of outcomes)
      (outcome.ok ? core.info : core.error)(`[${region}] ${outcome.message}`);
    const failed = outcomes.filter(({ outcome }) => !outcome.ok);
    if (failed.length > 0)
      failure = `Could not restore ${failed.map((f) => f.region).join(', ')}: ${failed.map((f) => f.outcome.message).join(' ')}`;
  } catch (error) {
    failure = `Could not recover the interrupted release: ${error instanceof Error ? error.message : String(error)}`;
  }
  const restored = outcomes.filter(({ outcome }) => outcome.ok).map((o) => o.region);
  const summary =
    failure ??
    (restored.length > 0
      ? `Restored the baseline in ${restored.join(', ')} (read back and verified); the other regions had nothing under way.`
      : 'No region needed restoring.');
  if (unreported && read) {
    const report = {
      ...unreported.report,
      regions: unreported.report.regions?.map((row) => {
        const found = outcomes.find((o) => o.region === row.region)?.outcome;
        return found?.ok
          ? {
              ...row,
              phase: 'rolled-back' as const,
              traffic: found.traffic,
              failure: 'restored by the post step',
            }
          : row;
      }),
    };
    const action = touched.length > 0 ? 'restore' : 'nothing';
    const { combinedReportConfig } = await import('./core/regions');
    await finishReport(
      combinedReportConfig(read.config),
      read.context,
      { ...unreported, report },
      {
        action,
        ok: failure === undefined,
        message: summary,
      },
    );
  }
  // Each region's own deployment ends final too, where main left it in progress.
  if (read) {
    const { nothingToRecover } = await import('./recover');
    const { regionReportConfig } = await import('./core/regions');
    for (const region of regions) {
      const own = loadReport(regionReportState(region));
      if (!own || own.final) continue;
      const outcome =
        outcomes.find((o) => o.region === region)?.outcome ??
        nothingToRecover(loadRegionRecord(region), 'its release had ended');
      await finishReport(regionReportConfig(read.config, region, 1), read.context, own, outcome, region);
    }
  }
  if (failure === undefined) core.info(summary);
  await writeSummary(`stream-deploy post step: ${summary}`);
  if (failure !== undefined) core.setFailed(failure);
}

// The recovery's failure as an outcome, so the report says it too.
function failedOutcome(message = 'the post step could not run.'): RecoveryOutcome {
  return { action: 'restore', ok: false, message };
}

// Publishes the final report main could not: the same channels, the same comment and deployment, the
// phase where the release ended and a line saying the run stopped. Reporting never fails this step.
async function finishReport(
  config: Readonly<DeployConfig>,
  context: RunContext,
  snapshot: ReportSnapshot,
  outcome: RecoveryOutcome,
  /** A region's own report (its deployment) in a multi-region release. */
  region?: string,
): Promise<void> {
  const which = region ? `${region}'s report` : 'the final report';
  try {
    const [{ createReporter }, { reportAfterRecovery }] = await Promise.all([
      import('./report-channels'),
      import('./recover'),
    ]);
    const reporter = await createReporter(config, context, snapshot);
    const patch = reportAfterRecovery(snapshot.report, outcome);
    if (patch) await reporter.update(patch);
    await core.group(`Publish ${which}`, () => reporter.flush());
    core.info(`${region ? `[${region}] ` : ''}The report now reads: ${reporter.current().phase}.`);
  } catch (error) {
    core.warning(`Could not publish ${which}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// One line in the job summary; a summary that cannot be written is a warning, never the step's failure.
async function writeSummary(line: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(line, true).write();
  } catch (error) {
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Cancels the execution a cancelled main step left running, then marks its comment and deployment
 * cancelled; fails this step when it cannot cancel (the report is only ever a warning).
 */
async function cancelExecution(execution: string): Promise<void> {
  let failure: string | undefined;
  let read: { config: Readonly<DeployConfig>; context: RunContext } | undefined;
  try {
    read = await readActionConfig();
    const { config } = read;
    const [{ connectGoogleCloud }, { connectJobs }] = await Promise.all([
      import('./adapters/google-cloud'),
      import('./adapters/cloud-run-jobs'),
    ]);
    const connected = await connectGoogleCloud({
      ...config,
      env: process.env,
      mask: (secret) => core.setSecret(secret),
      log: (line) => core.info(line),
    });
    try {
      await connectJobs(config, connected).cancelExecution(execution);
      core.info(`Cancelled execution ${execution}: the workflow stopped before it ended.`);
    } finally {
      await connected.cloudRun.close();
    }
  } catch (error) {
    failure = `Could not cancel execution ${execution}: ${error instanceof Error ? error.message : String(error)}; cancel it in the console or with \`gcloud run jobs executions cancel\`.`;
  }
  if (read) await finishJobReport(read.config, read.context, execution, failure);
  if (failure !== undefined) core.setFailed(failure);
}

// The job run's report, finished as cancelled: on the comment and deployment main kept when it got that far.
async function finishJobReport(
  config: Readonly<DeployConfig>,
  context: RunContext,
  execution: string,
  failure: string | undefined,
): Promise<void> {
  try {
    const { createJobReporter, loadJobReport } = await import('./job-report-channels');
    // Main's report when it kept one (the same comment and deployment); else a report started here.
    const reporter = await createJobReporter(config, context, { resume: loadJobReport() });
    const short = execution.split('/').pop();
    reporter.update({
      phase: 'cancelled',
      execution,
      note:
        failure === undefined
          ? `The job step stopped (the workflow was cancelled or timed out) before execution ${short} ended; the post step cancelled it.`
          : `The job step stopped (the workflow was cancelled or timed out) before execution ${short} ended, and the post step could not cancel it: check it in the console.`,
    });
    await core.group('Publish the cancelled job report', () => reporter.flush());
  } catch (error) {
    core.warning(
      `Could not publish the job report: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

void post();
