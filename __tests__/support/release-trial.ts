// One schedule of the property test through main and the post step: run() against the scheduled Cloud Run
// fake, then recoverRelease() from the runner state main saved; every invariant is checked as it goes.
import type { DeployConfig } from '../../src/core/config';
import type { CloudRunService, TrafficTarget } from '../../src/core/cloud-run-types';
import { planSteps } from '../../src/core/traffic-plan';
import { planTagCleanup, TAGS_ANNOTATION } from '../../src/core/release-tags';
import type { ReleaseRecord } from '../../src/core/release-record';
import type { PanelPort, ReleasePorts } from '../../src/ports';
import { chooseBaselineTag, withBaselineTag, withoutBaselineTag } from '../../src/core/baseline-tag';
import { armReading } from './panel-readings';
import { panelCannotJudge } from '../../src/run/step-gates';
import { recoverRelease, type RecoveryOutcome } from '../../src/recover';
import { run } from '../../src/run';
import { SMOKE, config, context } from './run-config';
import { memoryLog } from './fake-release-ports';
import { Killed, ScheduledCloudRun, scheduledPorts } from './release-faults';
import {
  annotationClaimsOnlyWhatLanded,
  noHalfWaySplit,
  outcomeNamesLiveTraffic,
  runnerStateClaimsOnlyWhatLanded,
  settledAfterPostStep,
  settledWhenMainEnds,
  splitOf,
  type Invariant,
} from './release-invariants';
import { BASELINES, CANDIDATE, LATEST, R, TAG, type Schedule } from './release-schedules';

/** run-config's release (tag pr-7, revision suffix `new`) with the schedule's rollout. */
function releaseConfig(s: Schedule): DeployConfig {
  return config({
    tag: TAG,
    smoke: SMOKE,
    rollout: 'progressive',
    trafficSteps: s.steps,
    stepWaitMs: s.stepWaitMs,
    keepFailedCandidate: s.keepFailedCandidate,
    followLatest: s.followLatest,
    ...(s.panel && { gates: { ...config().gates, panelStreams: 3 } }),
  });
}

/** A panel whose two arms look alike: the schedule's health is judged by the light rounds, as before. */
function healthyPanel(): PanelPort {
  const arm = () => armReading();
  return {
    open: () => ({
      window: () => ({ candidate: arm(), baseline: arm() }),
      close: async () => ({ candidate: arm(), baseline: arm() }),
    }),
  };
}

/** How main ended, as the invariants read it. */
export interface Released {
  verdict: string;
  failure?: string;
  traffic?: TrafficTarget[];
}

/** The one call into the orchestrator: run() returns one ReleaseOutcome for every known ending, never throws for one. */
async function release(settings: DeployConfig, ports: ReleasePorts): Promise<Released> {
  const outcome = await run(settings, context, ports);
  return { verdict: outcome.verdict, failure: outcome.failure, traffic: outcome.traffic };
}

/** The traffic states a schedule's release may pass through or end in, worked out from the baseline as seeded. */
export interface Plan {
  /** The traffic as the run found it, and where requests went then (LATEST resolved). */
  found: TrafficTarget[];
  foundSplit: Record<string, number>;
  /** The baseline with LATEST pinned to the revision it meant: what a rollback sets. */
  restore: TrafficTarget[];
  /** After the deploy: the baseline pinned, the candidate at 0 % behind its tag. */
  deployed: TrafficTarget[];
  steps: TrafficTarget[][];
  /** The last step with this action's older release tags taken off (a promotion) or as it is (a canary). */
  final: TrafficTarget[];
}

function planFor(s: Schedule): Plan {
  const found = BASELINES[s.baseline].traffic;
  const restore = found.map((t) => (t.type === LATEST ? { ...t, type: R, revision: 'api-old' } : { ...t }));
  // Steps too short for the panel to judge open none, and carry no temporary tag (run/step-gates.ts).
  const panel = s.panel && panelCannotJudge(releaseConfig(s)) === undefined;
  const baseline = panel ? chooseBaselineTag(restore, TAG, 'api') : undefined;
  const steps = planSteps(restore, CANDIDATE, TAG, s.steps, { followLatest: s.followLatest }).map((step) =>
    baseline && !('none' in baseline) ? withBaselineTag(step, baseline) : step,
  );
  const last = steps[steps.length - 1];
  const made = JSON.parse(BASELINES[s.baseline].annotations?.[TAGS_ANNOTATION] ?? '[]') as string[];
  return {
    found,
    foundSplit: splitOf({
      name: '',
      template: { containers: [] },
      traffic: found,
      latestReadyRevision: 'api-old',
    }),
    restore,
    deployed: [...restore, { type: R, revision: CANDIDATE, percent: 0, tag: TAG }],
    steps,
    final: withoutPanelTag(
      s.steps[s.steps.length - 1] === 100 ? planTagCleanup(last, made, TAG, 2).traffic : last,
      baseline,
    ),
  };
}

/** The promotion takes the panel's temporary tag off with the older release tags. */
function withoutPanelTag(
  traffic: TrafficTarget[],
  baseline: ReturnType<typeof chooseBaselineTag> | undefined,
) {
  return baseline && !('none' in baseline) ? withoutBaselineTag(traffic, baseline.tag) : traffic;
}

export interface Trial {
  schedule: Schedule;
  plan: Plan;
  /** Main's ending; undefined when the job was killed. */
  main?: Released;
  /** The runner-state records main saved, in order (what the post step reads is the last). */
  records: ReleaseRecord[];
  afterMain: CloudRunService;
  post: RecoveryOutcome;
  afterPost: CloudRunService;
  /** The person's traffic, once they set it. */
  person?: TrafficTarget[];
  /** The service as main last saw it, when the person changed its traffic after that: main cannot know theirs. */
  unseen?: CloudRunService;
  fired: string[];
  /** What the schedule broke: each invariant's test fails on its own. */
  violations: Violation[];
}

export interface Violation {
  invariant: Invariant;
  detail: string;
}

export async function runTrial(s: Schedule): Promise<Trial> {
  const plan = planFor(s);
  const cloudRun = new ScheduledCloudRun(s);
  cloudRun.seed(structuredClone(BASELINES[s.baseline].traffic));
  const service = cloudRun.service as CloudRunService;
  service.annotations = { ...BASELINES[s.baseline].annotations };
  const violations: Violation[] = [];
  const flag = (found: Violation[]) => violations.push(...found);
  const t = { schedule: s, plan, records: [] as ReleaseRecord[], violations } as unknown as Trial;
  cloudRun.onWrite = (write) => {
    if (write.by === 'person') return;
    flag(noHalfWaySplit(t, cloudRun, write));
    flag(annotationClaimsOnlyWhatLanded(t, cloudRun, write));
  };
  const ports = scheduledPorts(cloudRun, s.health, (record) =>
    flag(runnerStateClaimsOnlyWhatLanded(t, cloudRun, record)),
  );
  if (s.panel) ports.panel = healthyPanel();
  let main: Released | undefined;
  try {
    main = await release(releaseConfig(s), ports);
  } catch (err) {
    if (!(err instanceof Killed)) throw err;
  }
  t.main = cloudRun.dead ? undefined : main;
  t.records = ports.records;
  t.afterMain = cloudRun.view();
  t.person = cloudRun.personTraffic;
  if (cloudRun.personSinceSeen) t.unseen = cloudRun.lastSeen;
  // The post step: a new process with the runner state main saved, against a healthy API.
  cloudRun.heal();
  t.post = await recoverRelease(ports.records.at(-1), 'auto', { cloudRun, log: memoryLog() });
  t.afterPost = cloudRun.view();
  t.person = cloudRun.personTraffic;
  t.fired = cloudRun.fired;
  flag(settledWhenMainEnds(t));
  flag(settledAfterPostStep(t));
  flag(outcomeNamesLiveTraffic(t));
  t.violations = violations;
  return t;
}
