import * as core from '@actions/core';

// State main saves while a rollout is under way (core.saveState, FACTS.md GitHub Actions).
const ROLLOUT_STATE = 'rollout';

// Post step: runs after the job even when main failed or was cancelled (FACTS.md, GitHub Actions).
function post(): void {
  const saved = core.getState(ROLLOUT_STATE);
  if (saved === '') {
    core.info('No rollout was under way; nothing to restore.');
    return;
  }
  core.error(
    'A rollout was under way, but this version cannot restore traffic yet. ' +
      `Check the service's traffic split by hand. Saved state: ${saved}`,
  );
  process.exitCode = 1;
}

post();
