import { InputError } from '../../src/errors';
import { INPUT_NAMES, parseInputs, type InputName } from '../../src/inputs';
import { PUSH, REQUIRED, parse, problemsOf, reader } from './fixtures';

describe('parseInputs: many problems at once', () => {
  it('throws one InputError with every problem, in input order, each naming its input', () => {
    let caught: unknown;
    try {
      parseInputs(
        reader({
          // Given out of order on purpose: the report follows action.yml's order.
          deploy_timeout: '5',
          labels: 'Bad=x',
          env_vars: 'PORT=1',
          memory: 'lots',
          cpu: '3',
          max_instances: '0',
          concurrency: '0',
          timeout: '2h',
          profile: 'fast',
          workload_identity_provider: 'pool/provider',
          region: 'Mars',
          service: '9lives',
          image: 'api:latest',
          tag: 'Bad',
          revision_suffix: 'x-',
          lint_level: 'loud',
          ingress: 'public',
          use_http2: 'yes',
        }),
        PUSH,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.problems.map((p) => p.input)).toEqual([
      'project_id',
      'region',
      'service',
      'image',
      'workload_identity_provider',
      'profile',
      'timeout',
      'concurrency',
      'max_instances',
      'use_http2',
      'cpu',
      'memory',
      'env_vars',
      'labels',
      'ingress',
      'tag',
      'revision_suffix',
      'lint_level',
      'deploy_timeout',
    ]);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(error.problems.length);
    for (const line of lines) expect(line).toMatch(/^`[a-z_0-9]+`: .+; expected .+/);
    expect(lines[1]).toContain('"Mars"');
  });

  it('keeps several problems of one input in the order found', () => {
    expect(problemsOf({ env_vars: 'no-equals\nPORT=1\n1X=2' }).map((p) => p.message)).toEqual([
      expect.stringContaining('line 1 has no `=`'),
      expect.stringContaining('line 2: `PORT`'),
      expect.stringContaining('line 3: "1X"'),
    ]);
  });

  it('reads every input it declares', () => {
    const asked: string[] = [];
    parseInputs((name) => {
      asked.push(name);
      return REQUIRED[name] ?? '';
    }, PUSH);
    expect(new Set(asked)).toEqual(new Set(INPUT_NAMES));
  });
});

describe('parseInputs: warnings about inputs the other inputs make ignored', () => {
  const ignored = (input: InputName) => expect.stringMatching(new RegExp(`^\`${input}\`: is ignored: `));
  it.each([
    [{ smoke_protocol: 'sse', smoke_send: 'hi' }, ['smoke_send']],
    [{ smoke_protocol: 'http', smoke_send: 'hi' }, ['smoke_send']],
    [{ smoke_protocol: 'websocket', smoke_send: 'hi' }, []],
    [
      { smoke_protocol: 'http', smoke_min_events: '2', smoke_max_gap: '1s', smoke_connections: '3' },
      ['smoke_min_events', 'smoke_max_gap', 'smoke_connections'],
    ],
    [
      { smoke_protocol: 'none', smoke_path: '/x', health_timeout: '5s', smoke_url: 'https://a.example' },
      ['smoke_path', 'health_timeout', 'smoke_url'],
    ],
    [{ smoke_protocol: 'none', keep_failed_candidate: 'true' }, ['keep_failed_candidate']],
    [{ smoke_protocol: 'none', keep_failed_candidate: 'false' }, []],
    [{ health_path: 'none', health_timeout: '5s' }, ['health_timeout']],
    [{ rollout: 'immediate', traffic_steps: '10,100' }, ['traffic_steps']],
    // `immediate` bakes after its one step for `step_wait`: not ignored.
    [{ rollout: 'immediate', step_wait: '30s' }, []],
    [
      { rollout: 'candidate', traffic_steps: '10,100', step_wait: '5s', follow_latest: 'true' },
      ['traffic_steps', 'step_wait', 'follow_latest'],
    ],
    [{ rollout: 'candidate', keep_release_tags: '4' }, ['keep_release_tags']],
    // action.yml's defaults arrive as if given; they warn about nothing.
    [{ rollout: 'candidate', keep_release_tags: '2', public_access_method: 'invoker-check' }, []],
    [{ rollout: 'progressive', traffic_steps: '5,50', follow_latest: 'true' }, ['follow_latest']],
    [{ rollout: 'progressive', traffic_steps: '5,100', follow_latest: 'true' }, []],
    [{ public_access_method: 'iam-binding' }, ['public_access_method']],
    [{ public_access_method: 'iam-binding', allow_unauthenticated: 'false' }, ['public_access_method']],
    [{ public_access_method: 'iam-binding', allow_unauthenticated: 'true' }, []],
  ] as [Partial<Record<InputName, string>>, InputName[]][])('%j warns about %j', (inputs, names) => {
    expect(parse(inputs).inputWarnings).toEqual(names.map(ignored));
  });

  it('sends smoke_send only over a WebSocket', () => {
    expect(parse({ smoke_protocol: 'sse', smoke_send: 'hi' }).smoke).not.toHaveProperty('send');
    expect(parse({ smoke_protocol: 'websocket', smoke_send: 'hi' }).smoke?.send).toBe('hi');
  });

  it('warns that a revision-level floor keeps every preview candidate warm (docs/platform.md "Min instances and tags")', () => {
    const warning = expect.stringMatching(
      /^`min_instances_level`: `revision` with `rollout: candidate`: the tagged candidate keeps 1 warm, billed instance\(s\) \(from profile `sse`\)/,
    );
    expect(parse({ rollout: 'candidate', min_instances_level: 'revision' }).inputWarnings).toEqual([warning]);
    expect(parse({ rollout: 'candidate', min_instances_level: 'service' }).inputWarnings).toEqual([]);
    expect(
      parse({ rollout: 'candidate', min_instances_level: 'revision', min_instances: '0' }).inputWarnings,
    ).toEqual([]);
  });

  it('lists warnings in input order, each as `input_name`: …, and freezes them', () => {
    const config = parse({
      rollout: 'candidate',
      follow_latest: 'true',
      smoke_protocol: 'sse',
      smoke_send: 'hi',
      health_path: '/readyz',
      public_access_method: 'iam-binding',
    });
    expect(config.inputWarnings.map((w) => /^`([a-z_]+)`: /.exec(w)?.[1])).toEqual([
      'public_access_method',
      'health_path',
      'smoke_send',
      'follow_latest',
    ]);
    expect(Object.isFrozen(config.inputWarnings)).toBe(true);
  });

  it('warnings never stop a run, and problems are reported without them', () => {
    const problems = problemsOf({ rollout: 'candidate', follow_latest: 'true', region: 'Mars' });
    expect(problems.map((p) => p.input)).toEqual(['region']);
  });
});
