// A sample Cloud Run job task for the local emulator: plain Node, no dependencies. It reads the job
// runtime contract's env (CLOUD_RUN_TASK_INDEX, CLOUD_RUN_TASK_COUNT, CLOUD_RUN_TASK_ATTEMPT,
// CLOUD_RUN_JOB, CLOUD_RUN_EXECUTION), prints them, works for JOB_SLEEP_MS and exits as the env steers it:
//   JOB_FAIL_TASKS     comma-separated task indexes that fail (exit JOB_EXIT_CODE, default 1)
//   JOB_FAIL_ATTEMPTS  fail those tasks only on their first N attempts (default: every attempt)
//   JOB_SLEEP_MS       how long each task works before exiting (default 100)
//   JOB_EXIT_CODE      the exit code of a failing task (default 1)
//   JOB_MESSAGE        an extra line printed to stdout (to see env overrides arrive)
//   JOB_READ_FILE      an absolute path (e.g. a secret volume's file, /secrets/db/password) the task must
//                      read: it prints `file PATH: CONTENT`, or fails at once when the file cannot be read.
//                      In the local emulator a mount path P lives at $EMULATOR_MOUNT_ROOT + P; on Cloud Run
//                      that variable is unset and the path is read as given.
// Arguments are printed too, so tests can see args overrides.
import { readFileSync } from 'node:fs';

const env = process.env;
const index = Number(env.CLOUD_RUN_TASK_INDEX ?? 0);
const count = Number(env.CLOUD_RUN_TASK_COUNT ?? 1);
const attempt = Number(env.CLOUD_RUN_TASK_ATTEMPT ?? 0);
const sleepMs = Number(env.JOB_SLEEP_MS ?? 100);
const exitCode = Number(env.JOB_EXIT_CODE ?? 1) || 1;
const failing = (env.JOB_FAIL_TASKS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .map(Number);
const failAttempts = env.JOB_FAIL_ATTEMPTS === undefined ? Infinity : Number(env.JOB_FAIL_ATTEMPTS);

console.log(
  `task ${index}/${count} attempt ${attempt} of ${env.CLOUD_RUN_EXECUTION ?? '?'} (job ${env.CLOUD_RUN_JOB ?? '?'})`,
);
const args = process.argv.slice(2);
if (args.length > 0) console.log(`args: ${args.join(' ')}`);
if (env.JOB_MESSAGE) console.log(`message: ${env.JOB_MESSAGE}`);
if (env.JOB_READ_FILE) {
  try {
    const content = readFileSync(`${env.EMULATOR_MOUNT_ROOT ?? ''}${env.JOB_READ_FILE}`, 'utf8');
    console.log(`file ${env.JOB_READ_FILE}: ${content}`);
  } catch (error) {
    console.error(`task ${index} failed: cannot read ${env.JOB_READ_FILE} (${error.code ?? error.message})`);
    process.exit(exitCode);
  }
}

setTimeout(() => {
  if (failing.includes(index) && attempt < failAttempts) {
    console.error(`task ${index} failed: scripted failure on attempt ${attempt} (exit ${exitCode})`);
    process.exit(exitCode);
  }
  console.log(`task ${index} done`);
  process.exit(0);
}, sleepMs);
