import {
  durationSeconds,
  resolveSplit,
  revisionNameProblem,
  serviceBodyProblems,
  serviceIdProblem,
  tagProblem,
  trafficProblems,
} from '../../../emulator/api/service-rules';

const container = { image: 'us-docker.pkg.dev/demo/streams/stream-app:v1' };

describe('service id (docs/platform.md "Service id")', () => {
  test.each([
    ['api', true],
    ['stream-api-2', true],
    ['2api', false],
    ['Api', false],
    ['api-', false],
    ['a'.repeat(49), true],
    ['a'.repeat(50), false],
    ['api_x', false],
  ])('%s valid=%s', (id, ok) => {
    expect(serviceIdProblem(id) === undefined).toBe(ok);
  });
});

describe('revision names (docs/platform.md "Revision names")', () => {
  test.each([
    ['api', 'api-00001-abc', undefined],
    ['api', 'other-00001', 'must be prefixed'],
    ['api', `api-${'x'.repeat(60)}`, 'at most 63'],
    ['api', 'api-Upper', 'lowercase'],
  ])('%s / %s', (service, name, problem) => {
    const p = revisionNameProblem(service, name);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(problem);
  });
});

describe('tag rules (docs/platform.md "Tag")', () => {
  test.each([
    ['api', 'pr-12', undefined],
    ['api', 'PR-12', 'lowercase'],
    ['api', 'pr_12', 'lowercase'],
    ['api', 'x'.repeat(43), undefined],
    ['api', 'x'.repeat(44), 'at most 46'],
  ])('%s / %s', (service, tag, problem) => {
    const p = tagProblem(service, tag);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(problem);
  });
});

describe('limits (docs/platform.md "Request timeout", "Concurrency", "Labels")', () => {
  test.each([
    [{ timeout: '3600s', containers: [container] }, []],
    [{ timeout: '3601s', containers: [container] }, ['Timeout must be between 1s and 3600s']],
    [{ timeout: '0s', containers: [container] }, ['Timeout must be between 1s and 3600s']],
    [{ maxInstanceRequestConcurrency: 1001, containers: [container] }, ['between 0 and 1000']],
    [{ maxInstanceRequestConcurrency: 1000, containers: [container] }, []],
    [{ containers: [] }, ['at least one container']],
    [
      { containers: [{ ...container, ports: [{ name: 'h3', containerPort: 8080 }] }] },
      ["must be 'http1' or 'h2c'"],
    ],
    [
      { containers: [{ ...container, ports: [{ containerPort: 1 }, { containerPort: 2 }] }] },
      ['at most one port'],
    ],
    [
      { containers: [{ ...container, env: [{ name: 'PORT', value: '1' }] }] },
      ['reserved environment variable'],
    ],
    [
      { scaling: { minInstanceCount: 5, maxInstanceCount: 2 }, containers: [container] },
      ['greater than or equal'],
    ],
    [{ labels: { 'run.googleapis.com/x': 'y' }, containers: [container] }, ['reserved']],
    [{ annotations: { 'autoscaling.knative.dev/maxScale': '3' }, containers: [container] }, ['reserved']],
  ])('template %j', (template, expected) => {
    const problems = serviceBodyProblems('api', { template });
    expect(problems).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(problems[i]).toContain(e));
  });

  test('service-level reserved labels and label syntax are refused', () => {
    const problems = serviceBodyProblems('api', {
      labels: { 'cloud.googleapis.com/location': 'x', Bad: 'v' },
      template: { containers: [container] },
    });
    expect(problems.join('\n')).toContain("'cloud.googleapis.com/location' is not supported");
    expect(problems.join('\n')).toContain("Label key 'Bad' is invalid");
  });
});

describe('template.vpcAccess (emulator/README.md "VPC access")', () => {
  const connector = 'projects/demo-project/locations/us-central1/connectors/egress';
  test('a connector or one network interface is accepted', () => {
    for (const vpcAccess of [
      { connector },
      { networkInterfaces: [{ network: 'default' }], egress: 'ALL_TRAFFIC' },
    ])
      expect(serviceBodyProblems('api', { template: { containers: [container], vpcAccess } })).toEqual([]);
  });
  test('the request path names the method: create or update', () => {
    const template = {
      containers: [container],
      vpcAccess: { connector, networkInterfaces: [{ network: 'n' }] },
    };
    expect(serviceBodyProblems('api', { template })).toEqual([
      'Violation in CreateServiceRequest.service.template.vpc_access.connector: one and only one of connector and network_interfaces must be set.',
    ]);
    expect(serviceBodyProblems('api', { template }, 'UpdateServiceRequest')[0]).toMatch(
      /^Violation in UpdateServiceRequest\.service\.template\.vpc_access\.connector: /,
    );
  });
});

describe('traffic (docs/platform.md "Traffic entry shape")', () => {
  const known = new Set(['api-1', 'api-2']);
  test.each([
    [[{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }], []],
    [
      [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-1', percent: 90 },
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-2', percent: 10 },
      ],
      [],
    ],
    // a 0 % tag-only entry beside the same revision's percent entry
    [
      [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-1', percent: 100 },
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-1', percent: 0, tag: 'stable' },
      ],
      [],
    ],
    [
      [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-1', percent: 90 }],
      ['add up to 100'],
    ],
    [
      [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-9', percent: 100 }],
      ['does not exist'],
    ],
    [
      [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', revision: 'api-1', percent: 100 }],
      ['must not name a revision'],
    ],
    [[{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', percent: 100 }], ['must name a revision']],
    [
      [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, tag: 'a' },
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-1', percent: 0, tag: 'a' },
      ],
      ['more than one'],
    ],
  ])('%j', (traffic, expected) => {
    const problems = trafficProblems('api', traffic, known);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(problems[i]).toContain(e));
  });

  test('resolveSplit resolves LATEST and ignores 0 % tag entries', () => {
    expect(
      resolveSplit(
        [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 60 },
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-1', percent: 40 },
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-3', percent: 0, tag: 'pr-1' },
        ],
        'api-2',
      ),
    ).toEqual([
      { revision: 'api-2', percent: 60 },
      { revision: 'api-1', percent: 40 },
    ]);
  });
});

test('durationSeconds parses Duration strings (docs/platform.md "Wire format": Durations are strings)', () => {
  expect(durationSeconds('300s')).toBe(300);
  expect(durationSeconds('1.5s')).toBe(1.5);
  expect(durationSeconds(300)).toBeNaN();
  expect(durationSeconds('5m')).toBeNaN();
});

describe('multi-region services (docs/platform.md "Multi-region services have no tags")', () => {
  const template = { containers: [{ image: 'us-docker.pkg.dev/p/r/api:1' }] };
  const multiRegionSettings = { regions: ['us-central1', 'europe-west1'] };
  test('a tagged target is refused there, an untagged one passes, and tags stay fine on a regional service', () => {
    const tagged = [
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-2', percent: 0, tag: 'pr-1' },
    ];
    expect(serviceBodyProblems('api', { template, multiRegionSettings, traffic: tagged })).toEqual([
      'traffic[1].tag: Multi-region Services do not currently support tags.',
    ]);
    expect(
      serviceBodyProblems('api', { template, multiRegionSettings, traffic: tagged.slice(0, 1) }),
    ).toEqual([]);
    expect(serviceBodyProblems('api', { template, traffic: tagged })).toEqual([]);
  });
});
