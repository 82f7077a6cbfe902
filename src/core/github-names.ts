// The names a release uses on GitHub, in one place: the release step, the reporter and the cleanup mode
// must agree on them, or a closed pull request's preview cannot be found again. Each names the project:
// two projects (staging and prod) releasing the same service and region from one repository must not
// share an environment or a status context.

/**
 * The GitHub environment a release records its deployment in, e.g. `api (my-project/us-central1)`.
 * Previews share one environment per project, service and region (not one per pull request: environments
 * are created on first use and only an admin token can delete them); each preview is a deployment in it,
 * told apart by its payload.
 */
export function environmentName(project: string, service: string, region: string, preview: boolean): string {
  const name = `${service} (${project}/${region})`;
  return preview ? `preview: ${name}` : name;
}

/**
 * Where previews went before environments named the project (`preview: api (us-central1)`): the cleanup
 * looks there only to report, never to delete, deployments whose payload has no project.
 */
export function unprojectedPreviewEnvironment(service: string, region: string): string {
  return `preview: ${service} (${region})`;
}

/** The commit status context, which branch protection can require, e.g. `stream-deploy/my-project/us-central1/api`. */
export function statusContext(project: string, service: string, region: string): string {
  return `stream-deploy/${project}/${region}/${service}`;
}

/**
 * The GitHub environment a `mode: job` run records its deployment in, e.g. `job: migrate (my-project/us-central1)`.
 * The `job: ` prefix keeps it apart from a service's environment of the same name (a Cloud Run name has no
 * `:` or space) and from the `preview: ` environments cleanup searches, whatever the job is called. Names are
 * case-insensitive and at most 255 characters (docs/platform.md "Deployment statuses and environments"):
 * a job id (63), a project id (30) and a region stay far below that.
 */
export function jobEnvironmentName(project: string, job: string, region: string): string {
  return `job: ${job} (${project}/${region})`;
}

/**
 * What a job run's deployment carries: `kind: 'job'` and no `service` or `tag`, so cleanup's
 * `previewPayload` (core/cleanup-plan.ts) never reads it as a preview even if it met one.
 */
export interface JobDeploymentPayload {
  stream_deploy: {
    kind: 'job';
    project: string;
    region: string;
    job: string;
    pull_request: number | null;
    /** The workflow run and attempt that created it (src/adapters/github.ts `findOwnDeployment`). */
    run_id?: string;
    run_attempt?: string;
  };
}

/** The payload of a job run's deployment. */
export function jobDeploymentPayload(
  project: string,
  job: string,
  region: string,
  pullRequest: number | undefined,
  run?: { id: string; attempt: string },
): JobDeploymentPayload {
  return {
    stream_deploy: {
      kind: 'job',
      project,
      region,
      job,
      pull_request: pullRequest ?? null,
      ...(run?.id && { run_id: run.id, run_attempt: run.attempt }),
    },
  };
}
