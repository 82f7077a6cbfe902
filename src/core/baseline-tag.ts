// The baseline's temporary tag: the stream-health panel (core/stream-panel.ts) compares the candidate with
// the stable revision at the same time, through the same front end, so the stable revision needs a URL of
// its own for the release. It rides on every step's traffic as a 0 % tag-only entry beside the revision's
// percent entry (docs/platform.md "Traffic entry shape"), and leaves with the promotion or the rollback: a
// tagged revision stays addressable and, with a warm floor, billed (docs/platform.md "Min instances and
// tags"), so it is never left behind. Pure.
import type { TrafficTarget } from './cloud-run-types';
import { TAG_AND_SERVICE_MAX, TAG_PATTERN } from './tag-rules';

const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';

/** The stable revision and the tag it carries for one release. */
export interface BaselineTag {
  revision: string;
  tag: string;
}

/** The revision that served most before the release (ties: the first): the gates' baseline. */
export function stableRevision(restoreTraffic: readonly TrafficTarget[]): string | undefined {
  const serving = restoreTraffic.filter((t) => t.revision && t.percent > 0);
  return serving.length === 0
    ? undefined
    : serving.reduce((best, t) => (t.percent > best.percent ? t : best)).revision;
}

/**
 * The baseline's tag for a release whose candidate is tagged `candidateTag`: `CANDIDATE-base`, else a shorter
 * form when the service's name leaves less room, never a tag already on the service. The baseline is the
 * revision with the largest share of `restoreTraffic`. Says why there is none (a first deploy, no room).
 */
export function chooseBaselineTag(
  restoreTraffic: readonly TrafficTarget[],
  candidateTag: string,
  service: string,
): BaselineTag | { none: string } {
  const revision = stableRevision(restoreTraffic);
  if (!revision) return { none: 'no revision serves yet: there is no baseline to compare with' };
  const taken = new Set(restoreTraffic.map((t) => t.tag).filter(Boolean));
  taken.add(candidateTag);
  const room = TAG_AND_SERVICE_MAX - service.length;
  const tag = [`${candidateTag}-base`, `${candidateTag}b`, 'base', 'bl'].find(
    (t) => t.length <= room && TAG_PATTERN.test(t) && !taken.has(t),
  );
  if (!tag)
    return {
      none: `no free tag fits beside the service name ${service} (a tag and the service name together are at most ${TAG_AND_SERVICE_MAX} characters)`,
    };
  return { revision, tag };
}

/** `traffic` with the baseline's tag added as a 0 % tag-only entry (taken off any other entry first). */
export function withBaselineTag(traffic: readonly TrafficTarget[], baseline: BaselineTag): TrafficTarget[] {
  return [
    ...withoutBaselineTag(traffic, baseline.tag),
    { type: REVISION, revision: baseline.revision, percent: 0, tag: baseline.tag },
  ];
}

/** `traffic` without the tag `tag`: its tag-only entry removed, the tag dropped from an entry that serves. */
export function withoutBaselineTag(traffic: readonly TrafficTarget[], tag: string): TrafficTarget[] {
  const out: TrafficTarget[] = [];
  for (const t of traffic) {
    if (t.tag !== tag) out.push({ ...t });
    else if (t.percent > 0) {
      const { tag: _tag, ...rest } = t;
      out.push(rest);
    }
  }
  return out;
}
