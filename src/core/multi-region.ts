// Cloud Run's multi-region services (`Service.multiRegionSettings`): one service deployed to several
// regions at once, which takes no traffic tags (docs/platform.md "Multi-region services have no tags"). This action's
// candidate is a tagged revision at 0 %, so it cannot stage one there: such a service is refused before
// any write, with the per-region alternative. Pure.
import type { CloudRunService } from './cloud-run-types';

/** The refusal for a multi-region service, or undefined for a regional one. */
export function multiRegionRefusal(
  service: Pick<CloudRunService, 'name'> & { multiRegionSettings?: unknown },
): { cause: string; hint: string } | undefined {
  const settings = service.multiRegionSettings as { regions?: unknown; multiRegionId?: unknown } | undefined;
  const regions = Array.isArray(settings?.regions) ? settings.regions.map(String) : [];
  if (regions.length === 0) return undefined;
  const id =
    typeof settings?.multiRegionId === 'string' && settings.multiRegionId
      ? ` (${settings.multiRegionId})`
      : '';
  return {
    cause: `it is a multi-region service${id} in ${regions.join(', ')}, and multi-region services take no traffic tags, so no candidate can wait at 0 % behind a tag URL`,
    hint: 'Deploy one regional service per region instead (the same service id in each region, each released by this action with its own `region`, e.g. from a matrix), and put a global load balancer with a serverless NEG per region in front; or deploy this service with gcloud run multi-region-services, which this action does not drive.',
  };
}
