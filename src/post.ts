// Post step: runs after the job's steps even when main failed, was cancelled or timed out (FACTS.md GitHub
// Actions `post:`). A composition root like main.ts: when the record main saved says a rollout was under
// way and not finished, it builds the same auth and Cloud Run adapters and lets recoverRelease restore the
// baseline (or finish a promotion whose last step had passed). Its own entry point, so it fails its own step.
import * as core from '@actions/core';
import { planRecovery } from './core/release-record';
import { loadRecord } from './adapters/release-state';
import { readActionConfig } from './adapters/action-config';
import { actionsLog } from './adapters/log';

async function post(): Promise<void> {
  const record = loadRecord();
  const recovery = planRecovery(record, 'auto');
  if (recovery.action === 'nothing') {
    core.info(`Nothing to restore: ${recovery.reason}.`);
    return;
  }
  let failure: string | undefined;
  let summary: string;
  try {
    const { config } = readActionConfig();
    const { connectGoogleCloud } = await import('./adapters/google-cloud');
    const { recoverRelease } = await import('./recover');
    const { cloudRun } = await connectGoogleCloud({
      ...config,
      env: process.env,
      mask: (secret) => core.setSecret(secret),
      log: (line) => core.info(line),
    });
    try {
      const outcome = await core.group('Recover the interrupted release', () =>
        recoverRelease(record, 'auto', { cloudRun, log: actionsLog() }),
      );
      if (outcome.ok) core.info(outcome.message);
      else failure = outcome.message;
      summary = outcome.message;
    } finally {
      await cloudRun.close();
    }
  } catch (error) {
    failure = `Could not recover the interrupted release: ${error instanceof Error ? error.message : String(error)}`;
    summary = failure;
  }
  await writeSummary(`stream-deploy post step: ${summary}`);
  if (failure !== undefined) core.setFailed(failure);
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

void post();
