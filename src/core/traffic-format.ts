// Traffic in people's words, for log lines, errors and reports, and the gcloud command that sets it by
// hand: one wording shared by the release, the post step and the CLI.
import type { TrafficTarget } from './cloud-run-types';

/** Traffic for people: `api-00001 70 %, api-00002 30 % (tag blue)`; tag-only entries as `tag pr-1 -> api-00003`. */
export function describeTraffic(traffic: readonly TrafficTarget[]): string {
  const parts = traffic.map((t) =>
    t.percent > 0
      ? `${targetName(t)} ${t.percent} %${t.tag ? ` (tag ${t.tag})` : ''}`
      : `tag ${t.tag ?? '(none)'} -> ${targetName(t)}`,
  );
  return parts.length > 0 ? parts.join(', ') : '(none)';
}

/** The gcloud command that sets `traffic` on the service, for when the automatic restore fails. */
export function describeManualFix(service: string, traffic: readonly TrafficTarget[]): string {
  const [, project, , region, , id] = service.split('/');
  const split = traffic.filter((t) => t.percent > 0).map((t) => `${targetName(t)}=${t.percent}`);
  const tags = traffic.filter((t) => t.tag).map((t) => `${t.tag}=${targetName(t)}`);
  return (
    `gcloud run services update-traffic ${id} --region=${region} --project=${project} --to-revisions=${split.join(',')}` +
    (tags.length > 0 ? ` --set-tags=${tags.join(',')}` : '')
  );
}

/** LATEST as gcloud names it, else the revision. */
function targetName(t: TrafficTarget): string {
  return t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? 'LATEST' : (t.revision ?? '?');
}
