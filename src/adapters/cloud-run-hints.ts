// What a failed Cloud Run call tells the user to do: the hint for an API error by what the request was for
// (docs/platform.md "Errors"), and the errors of retries that ran out and of traffic someone else set.
import type { CloudRunService, TrafficTarget } from '../core/cloud-run-types';
import { describeCode } from '../core/retry-policy';
import { ConcurrentChange, type StepErrorDetails } from '../errors';
import type { RestError } from './run-rest';

/** What a request was for: chooses the hint of a failure (docs/platform.md "Errors"). */
export type ApiOperationKind = 'read' | 'deploy' | 'traffic' | 'iam';

/** What to do about an API error, by what the request was for and the error's code and details. */
export function hintFor(kind: ApiOperationKind, err: RestError, project: string): string {
  if (err.reason === 'SERVICE_DISABLED') {
    const api = err.metadata.service || 'run.googleapis.com';
    return `The ${api} API is not enabled in the project: run \`gcloud services enable ${api} --project ${project}\`${err.metadata.activationUrl ? ` (or open ${err.metadata.activationUrl})` : ''}, wait a minute for it to take effect, and rerun.`;
  }
  switch (err.code) {
    case 7:
      if (kind === 'iam')
        return `Changing who may invoke the service needs run.services.setIamPolicy: grant the deploying identity roles/run.admin on project ${project}.`;
      if (kind === 'traffic')
        return `Changing traffic needs run.services.update: grant the deploying identity roles/run.developer on project ${project}.`;
      if (kind === 'deploy')
        return `Grant the deploying identity roles/run.developer on project ${project}, and roles/iam.serviceAccountUser on the runtime service account; changing \`allow_unauthenticated\` (invokerIamDisabled) needs run.services.setIamPolicy too, i.e. roles/run.admin. Check \`project_id\` too: Google answers 403, not 404, for a project that does not exist.`;
      return `Grant the deploying identity roles/run.developer on project ${project}. Check \`project_id\` too: Google answers 403, not 404, for a project that does not exist.`;
    case 16:
      return 'The credentials were not accepted: check the Workload Identity Federation setup or the credentials from google-github-actions/auth.';
    case 5:
      if (kind === 'traffic')
        return 'A revision named in the traffic no longer exists (deleted?): check the service in the console.';
      return 'Check `region` (a Cloud Run region such as us-central1) and `project_id`.';
    case 6:
      if (/revision named/i.test(err.message))
        return 'A revision of that name already exists with a different configuration: a fixed `revision_suffix` was used by an earlier run, and every run changes the template (its provenance labels name the run). Leave `revision_suffix` unset, or make it unique per run (for example include the run id and attempt).';
      return 'The resource already exists; rerun to update it.';
    case 10:
      return 'Someone else changed the service at the same time; rerun, and use a `concurrency:` group per service and region in the workflow.';
    case 12:
      if (kind === 'read')
        return 'Check `region`: Cloud Run answers this for a region it does not serve (docs/platform.md "Errors").';
      return 'Retry the job; if it keeps failing, check the Cloud Run status page and the service in the console.';
    case 3:
    case 9:
      if (kind === 'read')
        return 'Check `region` (a Cloud Run region such as us-central1) and `project_id` (docs/platform.md "Errors").';
      if (kind === 'iam' && /permitted customer/i.test(err.message))
        return 'An organization policy (Domain Restricted Sharing) forbids `allUsers` in IAM policies. Use `public_access_method: invoker-check` (the default), which makes the service public by turning its invoker IAM check off, as Google recommends under this policy.';
      if (kind === 'traffic')
        return 'Cloud Run refused the traffic change: every revision named in the traffic must exist and be ready; the message says which.';
      if (err.code === 3) return 'Cloud Run refused the service definition; the message says which field.';
      return 'The revision did not become ready: see its logs; traffic stays where it was.';
    case 13:
      if (kind === 'traffic')
        return 'Cloud Run could not apply the traffic change: a revision named in it may have been deleted; the message says which.';
      return 'The revision did not become ready: see its logs; traffic stays where it was.';
    default:
      return 'Retry the job; if it keeps failing, check the Cloud Run status page and the service in the console.';
  }
}

/** A transient error that outlasted every retry: say how often, for how long, and what is left to do. */
export function exhausted(operation: string, target: string, err: unknown, tries: number): StepErrorDetails {
  return {
    operation,
    target,
    cause: `Cloud Run answered ${describeCode((err as RestError).code)} ${tries} times in a row (last: ${(err as Error).message})`,
    hint: "Cloud Run is throttling or failing requests for now: retry the job later; if it persists, check the Cloud Run status page and the project's API quota.",
  };
}

/** The write landed, but by the time it was read back someone else had set other traffic: theirs stands. */
export function overwritten(
  name: string,
  sent: readonly TrafficTarget[],
  after: CloudRunService,
): ConcurrentChange {
  return new ConcurrentChange({
    operation: 'set traffic on',
    target: name,
    cause: `someone else changed its traffic right after this run set it (set ${JSON.stringify(sent)}, read back ${JSON.stringify(after.traffic)})`,
    hint: 'This run did not overwrite it. Another release may be running: use a `concurrency:` group per service and region in the workflow.',
  });
}
