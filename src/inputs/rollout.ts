// Rollout: the traffic steps and their waits.
import { type InputName, type Problems, show } from './shared';
import { parseMillis } from './smoke';

export const ROLLOUTS = ['progressive', 'candidate', 'immediate'] as const;

// `10,50,100`: whole percents from 1 to 100, strictly ascending; ending below 100 is a partial canary.
export function parseSteps(
  text: string,
  problems: Problems,
  input: 'traffic_steps' | 'wave_traffic_steps' = 'traffic_steps',
): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  const steps = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (steps.some((n) => !(n >= 1 && n <= 100))) {
    problems.add(
      input,
      `${show(text)} has a step that is not a whole percent from 1 to 100`,
      'comma-separated percents such as `10,50,100`',
    );
    return undefined;
  }
  if (steps.some((n, i) => i > 0 && n <= steps[i - 1])) {
    problems.add(input, `${show(text)} is not strictly ascending`, 'ascending percents such as `10,50,100`');
    return undefined;
  }
  return steps;
}

// One duration for every step, or one per step.
export function parseStepWaits(
  text: string,
  count: number,
  problems: Problems,
  input: 'step_wait' | 'wave_step_wait' = 'step_wait',
): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 1 && parts.length !== count) {
    problems.add(
      input,
      `${show(text)} has ${parts.length} durations for ${count} traffic steps`,
      'one duration for every step, or one per step',
    );
    return undefined;
  }
  const waits = parts.map((p) => parseMillis(input, p, 0, 3_600_000, problems));
  if (waits.some((w) => w === undefined)) return undefined;
  return parts.length === 1 ? Array<number>(count).fill(waits[0] as number) : (waits as number[]);
}

// Warns about rollout inputs the chosen rollout never reads. `step_wait` is read by `immediate` too: it is the
// bake time after its one step to 100 %.
export function warnIgnoredRolloutInputs(
  text: (name: InputName) => string,
  rollout: (typeof ROLLOUTS)[number] | undefined,
  trafficSteps: number[] | undefined,
  followLatest: boolean,
  problems: Problems,
): void {
  const given = (name: InputName) => text(name) !== '';
  if ((rollout === 'immediate' || rollout === 'candidate') && given('traffic_steps'))
    problems.warn(
      'traffic_steps',
      `is ignored: \`rollout\` is \`${rollout}\`${rollout === 'immediate' ? ', one step to 100 %' : ', which gives the candidate no traffic'}`,
    );
  if (rollout === 'candidate') {
    if (given('step_wait'))
      problems.warn('step_wait', 'is ignored: `rollout` is `candidate`, so there are no traffic steps');
    if (followLatest)
      problems.warn('follow_latest', 'is ignored: `rollout` is `candidate`, so nothing is promoted');
    if (given('keep_release_tags') && text('keep_release_tags') !== '2')
      problems.warn(
        'keep_release_tags',
        'is ignored: `rollout` is `candidate`, so nothing is promoted and no old release tag is removed',
      );
  } else if (followLatest && trafficSteps !== undefined && trafficSteps[trafficSteps.length - 1] !== 100)
    problems.warn(
      'follow_latest',
      `is ignored: \`traffic_steps\` ends at ${trafficSteps[trafficSteps.length - 1]} % (a partial canary), and LATEST takes over only at 100 %`,
    );
}
