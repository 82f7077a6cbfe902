// Cloud Scheduler's REST API v1 through the signed-in auth client (run-rest.ts speaks any Google REST JSON):
// the scheduler job of a Cloud Run job, created or updated with a field mask (docs/platform.md "Cloud Run
// Jobs on a schedule"). Failures become StepErrors naming the role to grant.
import type { AuthClient } from 'google-auth-library';
import { SCHEDULE_FIELDS, type SchedulerJob } from '../core/job-schedule';
import { StepError } from '../errors';
import type { SchedulesPort } from '../ports';
import { createRunRest, toRestError, type Json } from './run-rest';

export function createScheduler(options: {
  authClient: AuthClient;
  baseUrl: string;
  project: string;
}): SchedulesPort {
  const rest = createRunRest({ authClient: options.authClient, baseUrl: options.baseUrl });
  const fail = (operation: string, target: string, err: unknown): never => {
    const e = toRestError(err);
    throw new StepError({
      operation,
      target,
      cause: e,
      hint:
        e.code === 7
          ? `grant the deployer roles/cloudscheduler.admin on ${options.project} and roles/iam.serviceAccountUser on the schedule's service account`
          : 'check `schedule`, `schedule_time_zone` and `schedule_service_account` against the message',
    });
  };
  return {
    async upsert(job: SchedulerJob) {
      let current: Json | undefined;
      try {
        current = await rest('GET', `v1/${job.name}`);
      } catch (err) {
        if (toRestError(err).code !== 5) fail('read scheduler job', job.name, err);
      }
      if (!current) {
        const parent = job.name.slice(0, job.name.lastIndexOf('/jobs/'));
        try {
          await rest('POST', `v1/${parent}/jobs`, undefined, job as unknown as Json);
        } catch (err) {
          fail('create scheduler job', job.name, err);
        }
        return 'created';
      }
      const same = SCHEDULE_FIELDS.every(
        (f) => JSON.stringify(current![f]) === JSON.stringify((job as unknown as Json)[f]),
      );
      if (same) return 'unchanged';
      try {
        await rest(
          'PATCH',
          `v1/${job.name}`,
          { updateMask: SCHEDULE_FIELDS.join(',') },
          job as unknown as Json,
        );
      } catch (err) {
        fail('update scheduler job', job.name, err);
      }
      return 'updated';
    },
  };
}
