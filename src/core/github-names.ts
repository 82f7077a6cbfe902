// The names a release uses on GitHub, in one place: the release step, the reporter and the cleanup mode
// must agree on them, or a closed pull request's preview cannot be found again.

/**
 * The GitHub environment a release records its deployment in. Previews share one environment per
 * service and region (one name per service, not one per pull request: environments are created on first
 * use and only an admin token can delete them); each preview is a deployment in it, told apart by its ref.
 */
export function environmentName(service: string, region: string, preview: boolean): string {
  return preview ? `preview: ${service} (${region})` : `${service} (${region})`;
}

/** The commit status context, which branch protection can require: one per service and region. */
export function statusContext(service: string, region: string): string {
  return `stream-deploy/${service} (${region})`;
}
