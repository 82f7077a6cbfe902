// The Cloud Scheduler job that runs a Cloud Run job on a schedule (docs/platform.md "Cloud Run Jobs on a
// schedule"): an HTTP target calling the Run API's `jobs.run` with an OAuth token of a named service account
// (Google APIs take OAuth tokens, not OIDC ID tokens). Pure.
import type { DeployConfig, JobSettings } from './config';

/** The Run API the scheduler calls (the same in the emulator, which maps this host to itself). */
export const RUN_API = 'https://run.googleapis.com';

/** The scope of the scheduler's OAuth token. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface SchedulerJob {
  name: string;
  description: string;
  schedule: string;
  timeZone: string;
  httpTarget: {
    uri: string;
    httpMethod: 'POST';
    oauthToken: { serviceAccountEmail: string; scope: string };
  };
}

/** The fields an update of the scheduler job writes (its `updateMask`). */
export const SCHEDULE_FIELDS = ['description', 'schedule', 'timeZone', 'httpTarget'] as const;

/** The scheduler job for `job`, named as the console names a job's trigger (`JOB-scheduler-trigger`). */
export function planSchedule(
  config: Pick<DeployConfig, 'projectId' | 'region'>,
  job: JobSettings,
): SchedulerJob | undefined {
  const s = job.schedule;
  if (!s) return undefined;
  const where = `projects/${config.projectId}/locations/${config.region}`;
  return {
    name: `${where}/jobs/${job.name}-scheduler-trigger`,
    description: `Runs Cloud Run job ${job.name} (managed by stream-deploy)`,
    schedule: s.cron,
    timeZone: s.timeZone,
    httpTarget: {
      uri: `${RUN_API}/v2/${where}/jobs/${job.name}:run`,
      httpMethod: 'POST',
      oauthToken: { serviceAccountEmail: s.serviceAccount, scope: CLOUD_PLATFORM_SCOPE },
    },
  };
}
