// The checks that judge a live candidate: waiting for its tag URL and for a new split to reach routing,
// and the gate of one traffic step (rounds of light smoke tests and a share sample). They report
// problems as data; the orchestrator (src/run.ts) decides what to do with them.
import type { DeployConfig } from '../core/config';
import { describeFailures, summarizeSmoke } from '../core/smoke';
import type { SmokeResult } from '../core/smoke-types';
import { judgeShare } from '../core/traffic-plan';
import {
  judgeCandidateErrors,
  judgeSampleErrors,
  planGate,
  SAMPLE_SIZE,
  type GatePlan,
} from '../core/step-gate';
import type { ReleasePorts, RevisionSample } from '../ports';

/** The candidate as the checks reach it: its URLs, and whether it is public. */
export interface LiveCandidate {
  url: string;
  urls: string[];
  tagUrl: string;
  publicAccess?: 'added' | 'removed' | 'unchanged';
}

/**
 * The gate of one step: rounds of light smoke tests and a share sample (core/step-gate.ts) for the bake
 * time. A check that fails is confirmed by the next rounds, run at once: only the same check failing in
 * three rounds in a row (the share, already confirmed by a second sample within its round: two) fails the
 * step. A platform's background of 1 % failed requests makes two single-request failures in a row of any
 * check likely over a long bake (the gate-accuracy benchmark rolled healthy releases back on it with 60 s
 * steps); three of the same check come a few times in ten thousand releases, and a candidate that is really
 * broken fails them all within seconds.
 * `earlyFailure` is asked after each passing round: evidence beside the rounds (the stream-health panel)
 * that is already clear ends the bake with its failure.
 */
export async function checkStep(
  config: DeployConfig,
  revision: string,
  result: LiveCandidate,
  percent: number,
  waitMs: number,
  ports: ReleasePorts,
  earlyFailure: () => string | undefined = () => undefined,
): Promise<{ failures: string[]; notes: string[]; observedShare?: number }> {
  const { log } = ports;
  const gate = planGate(config, { serviceUrl: result.url, tagUrl: result.tagUrl });
  for (const note of gate.notes) log.info(note);
  const notes = new Set(gate.notes);
  // Round 1's light tests start with the split's first sample: when that sample finds the split settled
  // (the common case) they are round 1's, under way already; when it does not, they are dropped, and round 1
  // runs its own once the split has settled. The sample that found it settled is round 1's share sample.
  let opening: RoundStart | undefined;
  if (gate.sample) {
    const light = lightTests(config, result, gate, ports);
    light.catch(() => undefined);
    const split = await awaitSplit(config, revision, result, percent, gate.sample, ports);
    opening = { sample: split.sample, ...(split.tries === 1 && { light }) };
  }
  const until = ports.now() + waitMs;
  // Rounds in a row each check has failed (the check: a failure's text before its first colon).
  let streaks = new Map<string, number>();
  const seen: { share?: number } = {};
  for (let round = 1; ; round++) {
    const failures = await checkRound(
      config,
      revision,
      result,
      percent,
      gate,
      round,
      ports,
      notes,
      seen,
      opening,
    );
    opening = undefined;
    const next = new Map<string, number>();
    for (const failure of failures) next.set(checkOf(failure), (streaks.get(checkOf(failure)) ?? 0) + 1);
    const pending = streaks.size > 0;
    streaks = next;
    const confirmed = failures.filter((f) => next.get(checkOf(f))! >= roundsToConfirm(checkOf(f)));
    if (confirmed.length > 0) return { failures: confirmed, notes: [...notes] };
    if (failures.length > 0) {
      const counts = [...next].map(([check, n]) => `${check} ${n} of ${roundsToConfirm(check)}`).join(', ');
      log.info(
        `Round ${round} found a problem (${counts}); the next rounds confirm it or clear it: ${failures.join('; ')}`,
      );
      continue;
    }
    if (pending) log.info(`Round ${round} passed: the problem of round ${round - 1} was not confirmed.`);
    // Evidence beside the rounds (the stream-health panel) that is already clear ends the bake now.
    const early = earlyFailure();
    if (early) return { failures: [early], notes: [...notes] };
    if (ports.now() >= until)
      return {
        failures: [],
        notes: [...notes],
        ...(seen.share !== undefined && { observedShare: seen.share }),
      };
    await ports.sleep(Math.min(1000, until - ports.now()));
  }
}

/** The check a gate failure belongs to: `tag URL`, `service URL`, `share`, `smoke URL`. */
function checkOf(failure: string): string {
  const colon = failure.indexOf(':');
  return colon < 0 ? failure : failure.slice(0, colon);
}

/** Rounds in a row a check must fail to fail the step (see checkStep). */
function roundsToConfirm(check: string): number {
  return check === 'share' ? 2 : 3;
}

/** How long a new tag URL or a new split is given to start serving (docs/platform.md "Traffic"). */
const SETTLE_MS = 30_000;

/**
 * Routing changes are not instantaneous (docs/platform.md "Traffic"): a fresh tag's URL can answer 404 or
 * 503 for a while, and a tag moved from the previous revision can still reach it. Waits, bounded, until the
 * tag reaches the candidate (by the `X-Revision` an app sets) or, for apps that do not name their revision,
 * answers anything but 404 or 503; the smoke test then judges the answer.
 */
export async function waitForTag(
  config: DeployConfig,
  revision: string,
  tagUrl: string,
  serviceUrl: string,
  publicAccess: LiveCandidate['publicAccess'],
  ports: ReleasePorts,
): Promise<void> {
  const path = config.smoke?.healthPath || config.smoke?.path || '/';
  const token = await mintIdToken(config, serviceUrl, publicAccess, ports);
  const started = ports.now();
  for (let tries = 1; ; tries++) {
    const seen = await ports.smoke.sample(tagUrl, path, 1, revision, token);
    let waitingFor: string | undefined;
    if (seen.total === 1 && seen.candidate === 0 && seen.unidentified === 0) waitingFor = 'another revision';
    // An error the candidate answered itself (its X-Revision) means routing reaches it: the smoke test judges it.
    else if (seen.errors > 0 && !seen.candidateErrors) {
      const status = await ports.smoke.status(tagUrl, path, token);
      if (status === undefined || status === 404 || status === 503) waitingFor = String(status ?? 'nothing');
    }
    if (waitingFor === undefined) {
      if (tries > 1)
        ports.log.info(
          `The tag URL reaches ${revision} after ${Math.round((ports.now() - started) / 1000)} s.`,
        );
      return;
    }
    if (ports.now() - started >= SETTLE_MS) {
      ports.log.warning(
        `The tag URL still answers with ${waitingFor} after ${SETTLE_MS / 1000} s; the smoke test goes ahead.`,
      );
      return;
    }
    if (tries === 1)
      ports.log.info(`The tag URL answers with ${waitingFor} yet: waiting for routing to reach ${revision}.`);
    await ports.sleep(1000);
  }
}

/**
 * After a traffic change, samples until the service URL's split matches the step (bounded), so the gate
 * does not judge the previous split that routing still serves (docs/platform.md "Traffic"). An app that
 * does not name its revision cannot show the split: then there is nothing to wait for. Returns the last
 * sample, which the step's first round judges as its own, and how many were read.
 */
async function awaitSplit(
  config: DeployConfig,
  revision: string,
  result: LiveCandidate,
  percent: number,
  sample: NonNullable<GatePlan['sample']>,
  ports: ReleasePorts,
): Promise<{ sample: RevisionSample; tries: number }> {
  const token = await mintIdToken(config, result.url, result.publicAccess, ports);
  const started = ports.now();
  for (let tries = 1; ; tries++) {
    const got = await ports.smoke.sample(sample.url, sample.path, SAMPLE_SIZE, revision, token);
    const share = judgeShare(countable(got), percent);
    // Nothing to wait for: the app does not name its revision, or requests fail (the gate judges that).
    if (got.total > 0 && got.unidentified >= got.total) return { sample: got, tries };
    if (!judgeSampleErrors(got).ok) return { sample: got, tries };
    if (share.ok) {
      if (ports.now() > started)
        ports.log.info(
          `The split reached ${percent} % after ${Math.round((ports.now() - started) / 1000)} s.`,
        );
      return { sample: got, tries };
    }
    if (ports.now() - started >= SETTLE_MS) {
      ports.log.info(
        `The split has not settled after ${SETTLE_MS / 1000} s (${share.detail}); the gate judges it now.`,
      );
      return { sample: got, tries };
    }
    await ports.sleep(1000);
  }
}

/** What a round has under way or read already: the split wait's last sample and the light tests begun with it. */
interface RoundStart {
  sample: RevisionSample;
  light?: Promise<Array<SmokeResult | undefined>>;
}

/** The light smoke tests of one round, through each URL the gate probes. */
async function lightTests(
  config: DeployConfig,
  result: LiveCandidate,
  gate: GatePlan,
  ports: ReleasePorts,
): Promise<Array<SmokeResult | undefined>> {
  const origins = [result.url, result.tagUrl, ...result.urls];
  const token = await mintIdToken(config, result.url, result.publicAccess, ports);
  return Promise.all(
    gate.probes.map(({ url }) => (gate.light ? ports.smoke.run(url, gate.light, origins, token) : undefined)),
  );
}

/**
 * One gate round: the light smoke tests and the share sample side by side; the problems it found.
 * `started` holds what the split wait already read or began for this round.
 */
async function checkRound(
  config: DeployConfig,
  revision: string,
  result: LiveCandidate,
  percent: number,
  gate: GatePlan,
  round: number,
  ports: ReleasePorts,
  notes: Set<string>,
  seen: { share?: number },
  started?: RoundStart,
): Promise<string[]> {
  const { smoke, log } = ports;
  const failures: string[] = [];
  const token = await mintIdToken(config, result.url, result.publicAccess, ports);
  // The light smoke tests and the share sample are independent: they run side by side, so a round takes
  // as long as one light test.
  const [outcomes, sample] = await Promise.all([
    started?.light ?? lightTests(config, result, gate, ports),
    started?.sample ??
      (gate.sample
        ? smoke.sample(gate.sample.url, gate.sample.path, SAMPLE_SIZE, revision, token)
        : undefined),
  ]);
  gate.probes.forEach(({ label }, i) => {
    const outcome = outcomes[i];
    if (!outcome) return;
    log.info(`Round ${round}, ${label}: ${summarizeSmoke(outcome)}`);
    if (outcome.verdict !== 'pass') failures.push(`${label}: ${describeFailures(outcome)}`);
  });
  if (!sample || !gate.sample) return failures;
  const counted = countable(sample);
  if (counted.total > counted.unidentified)
    seen.share = counted.candidate / (counted.total - counted.unidentified);
  let share = judgeShare(counted, percent);
  if (!share.ok && sample.total > 0 && percent > 0 && percent < 100) {
    // A 3-sigma band still misjudges a healthy split about once in a few hundred samples: a share outside
    // it is confirmed by a second, larger, independent sample before it can count.
    const again = await smoke.sample(gate.sample.url, gate.sample.path, 2 * SAMPLE_SIZE, revision, token);
    const confirm = judgeShare(countable(again), percent);
    log.info(`Round ${round}, share outside the band (${share.detail}); a second sample: ${confirm.detail}`);
    if (confirm.ok)
      share = { ok: true, detail: `${share.detail}; not confirmed by a second sample: ${confirm.detail}` };
  }
  const errors = judgeCandidateErrors(sample);
  log.info(`Round ${round}, share: ${share.detail}${errors.detail ? `; ${errors.detail}` : ''}`);
  if (!share.ok) failures.push(`share: ${share.detail}`);
  if (/^not checked/.test(share.detail))
    notes.add(
      'share not checked: the app does not name its revision (add the header X-Revision: $K_REVISION)',
    );
  if (!errors.ok) failures.push(`service URL: ${errors.detail}`);
  return failures;
}

/** When the candidate names itself but some answers do not, those came from a baseline that does not. */
function countable(sample: RevisionSample): RevisionSample {
  return sample.candidate > 0 && sample.unidentified < sample.total ? { ...sample, unidentified: 0 } : sample;
}

/** An ID token for the service URL unless the service is known to be public; none when auth cannot mint one. */
export async function mintIdToken(
  config: DeployConfig,
  audience: string,
  publicAccess: LiveCandidate['publicAccess'],
  { idToken, log }: ReleasePorts,
  onMissing?: (why: string) => void,
): Promise<string | undefined> {
  if (config.smokeUrl) return undefined;
  // A binding this run just added takes minutes to apply (docs/platform.md "Public access and IAM"): until
  // then the service still wants a token. The invoker check switched off in the deploy applies at once.
  const propagating = publicAccess === 'added' && config.publicAccessMethod === 'iam-binding';
  if (config.allowUnauthenticated === true && !propagating) return undefined;
  try {
    return await idToken(audience);
  } catch (err) {
    log.warning(
      `Smoke test without an ID token${publicAccess === undefined ? ' (a private service will answer 403)' : ''}: ${(err as Error).message}`,
    );
    onMissing?.((err as Error).message);
    return undefined;
  }
}
