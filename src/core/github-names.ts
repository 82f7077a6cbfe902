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
