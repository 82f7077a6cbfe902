// Regions: `regions` and `waves` release the same service to several regions in one run (src/multi-region.ts),
// wave 1 first with `traffic_steps`, later waves with `wave_traffic_steps` and `wave_step_wait`.
import { REGION } from '../core/name-rules';
import { type InputName, type Problems, show } from './shared';
import { parseStepWaits, parseSteps } from './rollout';

/** The release's regions in waves, and the steps of every wave after the first. */
export interface RegionWaves {
  /** Wave 1 is the canary wave; every region appears once. */
  waves: string[][];
  waveTrafficSteps: number[];
  waveStepWaitMs: number[];
}

/** What the other inputs decided that these depend on. */
export interface RegionContext {
  mode: string | undefined;
  rollout: string | undefined;
  trafficSteps: number[] | undefined;
  stepWaitMs: number[] | undefined;
}

const split = (text: string) => text.split(/[\s,]+/).filter((r) => r !== '');

/** Reads `regions`, `waves`, `wave_traffic_steps` and `wave_step_wait`; undefined for a one-region release. */
export function parseRegions(
  text: (name: InputName) => string,
  context: RegionContext,
  problems: Problems,
): RegionWaves | undefined {
  const listed = split(text('regions'));
  const grouped = text('waves') === '' ? [] : text('waves').split(';').map(split);
  if (listed.length === 0 && grouped.length === 0) {
    for (const name of ['wave_traffic_steps', 'wave_step_wait'] as const)
      if (text(name) !== '') problems.warn(name, 'is ignored: no `regions` or `waves` are given');
    return undefined;
  }
  const problemsBefore = problems.list.length;
  if (text('region') !== '')
    problems.add(
      'region',
      `${show(text('region'))} is given with \`${listed.length > 0 ? 'regions' : 'waves'}\``,
      'either `region` (one region) or `regions`/`waves` (several), not both; the first region of `waves` is the canary region',
    );
  if (context.mode !== undefined && context.mode !== 'release')
    problems.add(
      'regions',
      `is given with \`mode: ${context.mode}\``,
      '`mode: release`: only a release goes to several regions in one run; run one job per region for the others',
    );
  if (text('smoke_url') !== '')
    problems.add(
      'smoke_url',
      'is given with several regions, where each region is smoke-tested through its own tag URL',
      'no `smoke_url` with `regions`: one URL (a global load balancer) can hide a bad region behind another; `load_balancer_url` adds a test through it at the last step',
    );
  const source: InputName = grouped.length > 0 ? 'waves' : 'regions';
  const all = grouped.length > 0 ? grouped.flat() : listed;
  const bad = [...new Set([...listed, ...all])].filter((r) => !REGION.test(r));
  if (bad.length > 0)
    problems.add(
      listed.length > 0 && bad.every((r) => listed.includes(r)) ? 'regions' : source,
      `${bad.map(show).join(', ')} ${bad.length === 1 ? 'is not a region' : 'are not regions'}`,
      'Cloud Run regions such as `us-central1,europe-west1`: lowercase words and a number',
    );
  for (const [input, list] of [
    ['regions', listed],
    ['waves', grouped.flat()],
  ] as const) {
    const twice = [...new Set(list.filter((r, i) => list.indexOf(r) !== i))];
    if (twice.length > 0)
      problems.add(input, `names ${twice.map(show).join(', ')} more than once`, 'each region once');
  }
  if (grouped.some((wave) => wave.length === 0))
    problems.add(
      'waves',
      `${show(text('waves'))} has an empty wave`,
      'waves such as `us-central1; europe-west1,asia-east1`',
    );
  if (grouped.length > 0 && listed.length > 0) {
    const missing = listed.filter((r) => !all.includes(r));
    const extra = all.filter((r) => !listed.includes(r));
    if (missing.length > 0 || extra.length > 0)
      problems.add(
        'waves',
        `does not group exactly the \`regions\`${missing.length > 0 ? `: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} in no wave` : ''}${extra.length > 0 ? `${missing.length > 0 ? ';' : ':'} ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not in \`regions\`` : ''}`,
        'every region of `regions` in exactly one wave (or `waves` alone)',
      );
  }
  if (new Set(all).size < 2)
    problems.add(
      source,
      `names ${all.length === 0 ? 'no region' : 'one region'}`,
      'two regions or more; for one region, use `region`',
    );
  const waves = grouped.length > 0 ? grouped : [listed.slice(0, 1), listed.slice(1)];

  // Later waves: their own (often shorter) steps, ending where wave 1 ends.
  const later = waves.length > 1;
  const stepped = context.rollout !== 'candidate' && context.rollout !== 'immediate';
  for (const name of ['wave_traffic_steps', 'wave_step_wait'] as const)
    if (text(name) !== '' && (!later || !stepped))
      problems.warn(
        name,
        `is ignored: ${later ? `\`rollout\` is \`${context.rollout}\`` : 'there is only one wave'}`,
      );
  let waveTrafficSteps = context.trafficSteps;
  if (later && stepped && text('wave_traffic_steps') !== '') {
    waveTrafficSteps = parseSteps(text('wave_traffic_steps'), problems, 'wave_traffic_steps');
    const last = (steps: number[]) => steps[steps.length - 1];
    if (waveTrafficSteps && context.trafficSteps && last(waveTrafficSteps) !== last(context.trafficSteps))
      problems.add(
        'wave_traffic_steps',
        `${show(text('wave_traffic_steps'))} ends at ${last(waveTrafficSteps)} %, wave 1 (\`traffic_steps\`) at ${last(context.trafficSteps)} %`,
        'steps that end where `traffic_steps` ends, such as `50,100`',
      );
  }
  let waveStepWaitMs = context.stepWaitMs;
  if (waveTrafficSteps && context.stepWaitMs && later && stepped) {
    if (text('wave_step_wait') !== '')
      waveStepWaitMs = parseStepWaits(
        text('wave_step_wait'),
        waveTrafficSteps.length,
        problems,
        'wave_step_wait',
      );
    else if (new Set(context.stepWaitMs).size === 1)
      waveStepWaitMs = waveTrafficSteps.map(() => context.stepWaitMs![0]);
    else if (context.stepWaitMs.length !== waveTrafficSteps.length)
      problems.add(
        'wave_step_wait',
        `is empty, and \`step_wait\` gives ${context.stepWaitMs.length} durations for the ${waveTrafficSteps.length} steps of the later waves`,
        'one duration, or one per step of `wave_traffic_steps`',
      );
  }
  if (problems.list.length > problemsBefore || !waveTrafficSteps || !waveStepWaitMs) return undefined;
  return { waves, waveTrafficSteps, waveStepWaitMs };
}
