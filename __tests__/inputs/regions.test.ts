// `regions`, `waves`, `wave_traffic_steps` and `wave_step_wait` (src/inputs/regions.ts): the waves they
// give, and every mistake refused at once before any API call, naming the input and the fix.
import { parse, problemsOf } from './fixtures';

const SEVERAL = { region: '' };

describe('regions inputs', () => {
  it('`regions` alone: the first region is wave 1, the rest wave 2, and `region` is the canary region', () => {
    const config = parse({ ...SEVERAL, regions: 'us-central1, europe-west1,asia-east1' });
    expect(config.waves).toEqual([['us-central1'], ['europe-west1', 'asia-east1']]);
    expect(config.region).toBe('us-central1');
    expect(config.waveTrafficSteps).toEqual([10, 50, 100]);
    expect(config.waveStepWaitMs).toEqual([60_000, 60_000, 60_000]);
  });

  it('`waves` alone groups the regions; later waves take their own steps and waits', () => {
    const config = parse({
      ...SEVERAL,
      waves: 'us-central1; europe-west1 ; asia-east1,us-east1',
      wave_traffic_steps: '50,100',
      wave_step_wait: '30s,0s',
    });
    expect(config.waves).toEqual([['us-central1'], ['europe-west1'], ['asia-east1', 'us-east1']]);
    expect(config).toMatchObject({ waveTrafficSteps: [50, 100], waveStepWaitMs: [30_000, 0] });
  });

  it('one `step_wait` per step of wave 1 needs `wave_step_wait` when the later waves have other steps', () => {
    expect(
      problemsOf({
        ...SEVERAL,
        regions: 'us-central1,europe-west1',
        step_wait: '1m,2m,3m',
        wave_traffic_steps: '100',
      }).map((p) => p.input),
    ).toEqual(['wave_step_wait']);
    expect(
      parse({ ...SEVERAL, regions: 'us-central1,europe-west1', step_wait: '2m', wave_traffic_steps: '100' })
        .waveStepWaitMs,
    ).toEqual([120_000]);
  });

  it('refuses every mistake at once, each naming its input', () => {
    const problems = problemsOf({
      region: 'us-central1',
      regions: 'us-central1,Europe,us-central1',
      waves: 'us-central1;;asia-east1',
      smoke_url: 'https://lb.example.com/events',
      wave_traffic_steps: '50',
    });
    expect(problems.map((p) => p.input)).toEqual([
      'region',
      'regions',
      'regions',
      'waves',
      'waves',
      'wave_traffic_steps',
      'smoke_url',
    ]);
    expect(problems[0].message).toMatch(/either `region` \(one region\) or `regions`\/`waves`/);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/does not group exactly the `regions`/);
    expect(problems.find((p) => p.input === 'wave_traffic_steps')?.message).toMatch(
      /ends at 50 %, wave 1 \(`traffic_steps`\) at 100 %/,
    );
  });

  it.each([
    [{ regions: 'us-central1' }, 'regions', /names one region/],
    [{ regions: 'us-central1,eu' }, 'regions', /"eu" is not a region/],
    [{ waves: 'us-central1;us-central1,asia-east1' }, 'waves', /more than once/],
    [{ regions: 'us-central1,europe-west1', mode: 'cleanup', tag: 'pr-1' }, 'regions', /`mode: release`/],
    [
      {
        regions: 'us-central1,europe-west1',
        vpc_connector: 'projects/my-project/locations/us-central1/connectors/c',
      },
      'vpc_connector',
      /one region's connector/,
    ],
  ])('%j is refused, naming `%s`', (inputs, input, message) => {
    const problems = problemsOf({ ...SEVERAL, ...(inputs as Record<string, string>) });
    expect(problems.map((p) => p.input)).toEqual([input]);
    expect(problems[0].message).toMatch(message);
  });

  it('a short connector name is left for each region to complete', () => {
    const config = parse({ ...SEVERAL, regions: 'us-central1,europe-west1', vpc_connector: 'streams' });
    expect(config.vpc?.connector).toBe('streams');
  });

  it('warns about wave inputs nothing reads', () => {
    expect(parse({ wave_traffic_steps: '100' }).inputWarnings).toEqual([
      '`wave_traffic_steps`: is ignored: no `regions` or `waves` are given',
    ]);
    expect(
      parse({ ...SEVERAL, regions: 'us-central1,europe-west1', rollout: 'candidate', wave_step_wait: '1m' })
        .inputWarnings,
    ).toContain('`wave_step_wait`: is ignored: `rollout` is `candidate`');
  });
});
