import { PUSH, parse, problemsOf } from './fixtures';

describe('rollout inputs', () => {
  it('defaults to `candidate` on pull requests and `progressive` otherwise', () => {
    expect(parse({}, { ...PUSH, eventName: 'pull_request', pullRequest: 3 }).rollout).toBe('candidate');
    expect(parse({}, PUSH).rollout).toBe('progressive');
  });

  it('`immediate` is one step to 100 %', () => {
    expect(parse({ rollout: 'immediate', step_wait: '5s' })).toMatchObject({
      trafficSteps: [100],
      stepWaitMs: [5000],
    });
  });

  it('a partial canary may end below 100', () => {
    expect(parse({ traffic_steps: '1,5' }).trafficSteps).toEqual([1, 5]);
  });

  it.each([
    [{ rollout: 'blue-green' }, 'rollout'],
    [{ traffic_steps: '50,10,100' }, 'traffic_steps'],
    [{ traffic_steps: '10,10,100' }, 'traffic_steps'],
    [{ traffic_steps: '0,100' }, 'traffic_steps'],
    [{ traffic_steps: '10,50,101' }, 'traffic_steps'],
    [{ traffic_steps: '10%,100' }, 'traffic_steps'],
    [{ step_wait: '1m,2m' }, 'step_wait'],
    [{ step_wait: 'soon' }, 'step_wait'],
    [{ follow_latest: 'yes' }, 'follow_latest'],
  ])('%j is refused, naming `%s`', (inputs, input) => {
    expect(problemsOf(inputs as Record<string, string>).map((p) => p.input)).toEqual([input]);
  });
});
