// Progressive traffic as data: the traffic each rollout step sends, the check that the service URL really
// splits about as planned, and when streams on old revisions will have ended. Pure: no I/O, no clock.
//
// Traffic is always set by explicit revision names (docs/platform.md "Traffic entry shape"), so a deploy made by someone else
// during the rollout cannot take traffic by being "latest"; the only exception is the final step when the
// team asks for LATEST (`followLatest`).
import type { TrafficTarget } from './cloud-run-types';

const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';

/** Traffic as a comparable key: order, LATEST vs names and empty tags do not matter. */
export function trafficKey(traffic: readonly TrafficTarget[]): string {
  return JSON.stringify(traffic.map((t) => [t.type, t.revision ?? '', t.percent, t.tag ?? '']).sort());
}

/** Options for `planSteps`. */
export interface StepOptions {
  /** End a rollout that reaches 100 % with LATEST at 100 % instead of the candidate by name. */
  followLatest: boolean;
}

/**
 * The traffic for each step, from the pinned baseline (`CandidatePlan.restoreTraffic`, no LATEST entries).
 *
 * - The candidate gets the step's percent on one entry that carries its tag at every step.
 * - Baseline entries serving traffic share the rest in their original proportions, as whole percents that
 *   sum to exactly 100 (largest remainder; ties go to the earlier entry). An entry rounded down to 0 % stays
 *   as a 0 % entry only when it carries a tag (user tags stay where they are); otherwise it is left out.
 * - 0 % tag-only entries stay exactly as they are; untagged 0 % entries carry nothing and are left out.
 * - The candidate's tag moves to the candidate: a baseline entry carrying it loses it (tags are unique in
 *   a service's traffic; planCandidate moved it the same way, docs/platform.md "--no-traffic --tag X in v2 terms").
 * - If the baseline already names the candidate (it should not: the candidate is new), those entries' percents
 *   are not part of the baseline share: the candidate gets exactly the step's percent on its one entry and the
 *   other baseline revisions share the rest; a user tag on such an entry stays on a 0 % entry. When no other
 *   revision serves (e.g. an empty baseline), the candidate takes 100 % at every step, as nothing else can.
 * - A partial canary (last step below 100) stops at its last step; `followLatest` applies only at 100 %.
 *
 * Throws on a LATEST entry in the baseline or a step outside 0..100 (caller bugs: the plan would be wrong).
 */
export function planSteps(
  restoreTraffic: TrafficTarget[],
  candidate: string,
  tag: string,
  stepPercents: number[],
  options: StepOptions,
): TrafficTarget[][] {
  if (restoreTraffic.some((t) => t.type === LATEST || !t.revision)) {
    throw new Error('planSteps: the baseline must name revisions explicitly (pin LATEST first)');
  }
  const bad = stepPercents.find((p) => !Number.isInteger(p) || p < 0 || p > 100);
  if (bad !== undefined)
    throw new Error(`planSteps: step percent ${bad} is not a whole number from 0 to 100`);

  // The baseline with the candidate's tag taken off; the candidate's own entries reduced to their user tags.
  const baseline: TrafficTarget[] = restoreTraffic.map((t) => {
    const entry: TrafficTarget = { type: REVISION, revision: t.revision, percent: t.percent };
    if (t.tag && t.tag !== tag) entry.tag = t.tag;
    if (t.revision === candidate) entry.percent = 0;
    return entry;
  });
  const serving = baseline.map((t, i) => ({ index: i, weight: t.percent })).filter((s) => s.weight > 0);

  const last = stepPercents.length - 1;
  return stepPercents.map((percent, step) => {
    const candidatePercent = serving.length === 0 ? 100 : percent;
    const shares = shareRemainder(
      100 - candidatePercent,
      serving.map((s) => s.weight),
    );
    const shareOf = new Map(serving.map((s, k) => [s.index, shares[k]]));
    const traffic: TrafficTarget[] = [];
    baseline.forEach((t, i) => {
      const p = shareOf.get(i) ?? 0;
      if (p === 0 && !t.tag) return;
      traffic.push({ ...t, percent: p });
    });
    if (options.followLatest && step === last && percent === 100) {
      // LATEST only on request: a LATEST entry sends all traffic to whatever revision becomes ready next, so
      // every later deploy (including a plain `gcloud run deploy` or a broken image) goes live at once with no
      // canary. The candidate keeps its tag on a 0 % entry so its tag URL keeps working (docs/platform.md "Traffic entry shape":
      // a 0 % tag-only entry may sit beside the revision's percent entry).
      traffic.push({ type: REVISION, revision: candidate, percent: 0, tag });
      traffic.push({ type: LATEST, percent: 100 });
    } else {
      traffic.push({ type: REVISION, revision: candidate, percent: candidatePercent, tag });
    }
    return traffic;
  });
}

/** `total` split in proportion to `weights` as whole numbers summing to `total` (largest remainder, ties to the earlier). */
function shareRemainder(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0 || sum === 0) return weights.map(() => 0);
  // Integer arithmetic: floor and remainder of total * w / sum, so no rounding error decides a tie.
  const parts = weights.map((w, i) => ({ i, floor: Math.floor((total * w) / sum), rest: (total * w) % sum }));
  let left = total - parts.reduce((a, p) => a + p.floor, 0);
  const order = [...parts].sort((a, b) => b.rest - a.rest || a.i - b.i);
  const out = parts.map((p) => p.floor);
  for (const p of order) {
    if (left <= 0) break;
    out[p.i] += 1;
    left -= 1;
  }
  return out;
}

/** What the service URL was seen to do: requests sent, how many the candidate served, how many said nothing. */
export interface ShareSample {
  total: number;
  candidate: number;
  /** Responses that did not say which revision served them (no X-Revision header). */
  unidentified: number;
}

/** Share checks with fewer identified requests than this are judged, but the detail says the sample is small. */
const SMALL_SAMPLE = 20;

/**
 * The share check: did the service URL send about `percent` % of the identified requests to the candidate?
 * Tolerance, in percentage points: the larger of 3 binomial standard deviations (sampling noise) and a floor
 * of min(10, p/2, (100-p)/2) for what sampling does not explain (docs/platform.md "Session affinity beats the split").
 * The floor shrinks at small shares so that a candidate getting nothing at 10 % fails once the sample is big
 * enough to show it (a flat 10-point floor would pass 0 of 1000 at 10 %). At 0 % and 100 % it must be exact.
 * Responses that do not identify their revision are not counted; when none do, the check is not made (ok).
 * An empty sample fails: a gate with no evidence must not pass.
 */
export function judgeShare(sample: ShareSample, percent: number): { ok: boolean; detail: string } {
  const { total, candidate, unidentified } = sample;
  if (total <= 0) {
    return {
      ok: false,
      detail: `no requests were sampled through the service URL; expected ${percent} % on the candidate`,
    };
  }
  if (unidentified >= total) {
    return { ok: true, detail: 'not checked: responses do not identify their revision' };
  }
  const n = total - unidentified;
  const observed = (100 * candidate) / n;
  const tolerance = shareTolerance(percent, n);
  const ok = Math.abs(observed - percent) <= tolerance + 1e-9;
  const notes: string[] = [];
  if (unidentified > 0)
    notes.push(`${unidentified} of ${total} responses did not identify their revision and were not counted`);
  if (n < SMALL_SAMPLE) notes.push(`small sample: ${n} identified requests`);
  const expected =
    percent === 0 || percent === 100 ? `exactly ${percent} %` : `${percent} % ± ${round1(tolerance)} points`;
  const detail =
    `service URL sent ${candidate} of ${n} identified requests (${round1(observed)} %) to the candidate; ` +
    `expected ${expected}${ok ? '' : ': outside the expected share'}` +
    (notes.length ? ` (${notes.join('; ')})` : '');
  return { ok, detail };
}

/** Allowed distance in percentage points between the observed and the configured share, for n identified requests. */
function shareTolerance(percent: number, n: number): number {
  if (percent <= 0 || percent >= 100) return 0;
  const noise = 3 * Math.sqrt((percent * (100 - percent)) / n);
  const floor = Math.min(10, percent / 2, (100 - percent) / 2);
  return Math.max(noise, floor);
}

function round1(x: number): string {
  return (Math.round(x * 10) / 10).toFixed(1);
}

/** The latest moment a stream on an old revision can still be open: the final shift plus the request timeout (docs/platform.md "Routing changes take time", "A stream is one request"). */
export function drainDeadline(finalShiftAt: Date, timeoutSeconds: number): Date {
  return new Date(finalShiftAt.getTime() + timeoutSeconds * 1000);
}

/**
 * What serves, for reports and outputs: the service's `trafficStatuses` when Cloud Run reports them (LATEST
 * resolved to the revision it reaches), else its `traffic` spec, which says what was asked for.
 */
export function servingTraffic(service: {
  traffic: readonly TrafficTarget[];
  trafficStatuses?: ReadonlyArray<TrafficTarget & { uri?: string }>;
}): TrafficTarget[] {
  const statuses = service.trafficStatuses;
  if (!statuses || statuses.length === 0) return service.traffic.map((t) => ({ ...t }));
  return statuses.map(({ uri: _uri, ...t }) => t);
}
