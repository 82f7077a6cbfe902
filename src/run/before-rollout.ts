// The pre-rollout job of a service release (`before_rollout_job`): once the candidate is deployed at 0 %
// and has passed its smoke test, and before any traffic moves, the named Cloud Run job is set to the
// candidate's image, pinned by the digest the candidate revision resolved (docs/platform.md "Image
// digests": a tag moved since the deploy cannot give the job other code), and executed (a database
// migration, say). Its failure stops the release with traffic
// untouched: the candidate loses its tag as after a failed smoke test. Reuses the job mode's waiting and
// explaining (src/job.ts).
import type { DeployConfig } from '../core/config';
import { describeFailedLines, waitFor } from '../job';
import { shortName } from '../core/job-outcome';
import { jobOnImage } from '../core/job-plan';
import type { ReleasePorts } from '../ports';

/** Runs the job and waits for it; resolves with why it failed, or undefined when it succeeded. */
export async function runBeforeRolloutJob(
  config: DeployConfig,
  candidate: { service: string; revision: string },
  ports: ReleasePorts,
): Promise<string | undefined> {
  const job = config.beforeRolloutJob;
  if (!job) return undefined;
  const { log } = ports;
  if (!ports.jobs) return `The pre-rollout job ${job.name} cannot run: no Cloud Run jobs client in this run.`;
  const jobs = ports.jobs;
  const name = `projects/${config.projectId}/locations/${config.region}/jobs/${job.name}`;
  const pinned = await ports.cloudRun
    .revisionDigest(candidate.service, candidate.revision)
    .catch(() => undefined);
  const image = pinned ?? config.image;
  return log.group(`Pre-rollout job ${job.name} with ${image}`, async () => {
    if (!pinned)
      log.warning(
        `Candidate ${candidate.revision} reports no image digest: the job runs ${config.image} as given, which is the candidate's image only while that tag does not move.`,
      );
    const current = await jobs.getJob(name);
    if (!current)
      return `The pre-rollout job ${job.name} does not exist in ${config.region}: create it first (\`mode: job\` with \`execute: never\`), then release.`;
    await jobs.applyJob(jobOnImage(current, image), 'update');
    const execution = await jobs.runJob(name);
    log.info(`Execution ${shortName(execution)} of ${job.name} started with the candidate's image.`);
    const outcome = await waitFor(execution, job.deadlineSeconds, {
      jobs,
      log,
      saveExecution: () => undefined,
      sleep: ports.sleep,
      now: ports.now,
    });
    log.info(outcome.summary);
    if (outcome.status === 'succeeded') return undefined;
    return `The pre-rollout job ${job.name} did not succeed, so no traffic moves: ${outcome.summary}${describeFailedLines(outcome)}${outcome.logUri ? `\nLogs: ${outcome.logUri}` : ''}`;
  });
}
