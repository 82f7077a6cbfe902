import type { CloudRunService } from '../../src/core/cloud-run-types';
import type { DeployConfig } from '../../src/core/config';
import {
  blockingFindings,
  citeOrigins,
  lintStreaming,
  type LintFinding,
} from '../../src/core/streaming-lint';
import { cases, configFor, directWif, planned, plannedForProfile } from '../support/streaming-lint-cases';

const summarize = (findings: LintFinding[]) => findings.map((f) => `${f.rule}:${f.severity}`);

describe('lintStreaming', () => {
  it.each(cases)('$name', ({ config, service, expected }) => {
    expect(summarize(lintStreaming(config, service)).sort()).toEqual([...expected].sort());
  });

  it('lists errors before warnings', () => {
    const last = cases[cases.length - 1];
    const severities = lintStreaming(last.config, last.service).map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === 'error' ? -1 : 1)));
    expect(severities[0]).toBe('error');
    expect(severities[severities.length - 1]).toBe('warning');
  });

  it('reads nothing it may not: frozen inputs are not modified', () => {
    const config = deepFreeze(configFor('websocket', { ...directWif }));
    const service = deepFreeze(planned({ timeout: '30s' }));
    const before = JSON.stringify([config, service]);
    expect(lintStreaming(config, service).length).toBeGreaterThan(0);
    expect(JSON.stringify([config, service])).toBe(before);
  });
});

interface MessageCase {
  rule: string;
  config: DeployConfig;
  service: CloudRunService;
  /** Text the message must contain: this service's values, the consequence and the input to set. */
  says: string[];
  /** Text the source must contain. */
  cites: string[];
}

const messageCases: MessageCase[] = [
  {
    rule: 'timeout-too-short',
    config: configFor('sse'),
    service: plannedForProfile('sse', { timeout: '300s' }),
    says: ['`api`', '5 minutes', 'cuts every stream at the request timeout', '`timeout: 3600`'],
    cites: [
      'docs/platform.md "A stream is one request"',
      'cloud.google.com/run/docs/configuring/request-timeout',
    ],
  },
  {
    rule: 'websocket-http2',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { portName: 'h2c' }),
    says: ['`api`', 'end-to-end HTTP/2', '`use_http2: false`'],
    cites: ['docs/platform.md "WebSockets advice"', 'cloud.google.com/run/docs/triggering/websockets'],
  },
  {
    rule: 'websocket-no-affinity',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { sessionAffinity: false }),
    says: ['`api`', 'reconnect can land on any instance', '`session_affinity: true`'],
    cites: [
      'docs/platform.md "WebSockets advice"',
      'Session affinity',
      'cloud.google.com/run/docs/triggering/websockets',
    ],
  },
  {
    rule: 'grpc-no-http2',
    config: configFor('grpc'),
    service: plannedForProfile('grpc', { portName: 'http1' }),
    says: ['`api`', 'streaming gRPC', '`use_http2: true`', 'h2c'],
    cites: ['cloud.google.com/run/docs/triggering/grpc'],
  },
  {
    rule: 'cpu-throttled',
    config: configFor('sse'),
    service: plannedForProfile('sse', { resources: { cpuIdle: true } }),
    says: ['`api`', 'An open stream is a request', 'timers', '`cpu_always_allocated: true`'],
    cites: [
      'docs/platform.md "CPU always allocated"',
      'cloud.google.com/run/docs/configuring/billing-settings',
    ],
  },
  {
    rule: 'min-instances-zero',
    config: configFor('grpc'),
    service: plannedForProfile('grpc', { minInstances: 0 }),
    says: ['`api`', 'cold starts', '`min_instances: 1`'],
    cites: ['docs/platform.md "Cloud Run defaults"', 'cloud.google.com/run/docs/configuring/min-instances'],
  },
  {
    rule: 'concurrency-one',
    config: configFor('sse'),
    service: plannedForProfile('sse', { concurrency: 1 }),
    says: ['`api`', 'one instance per open stream', '`concurrency: 250`'],
    cites: ['docs/platform.md "Concurrency"', 'cloud.google.com/run/docs/about-concurrency'],
  },
  {
    rule: 'concurrency-too-high',
    config: configFor('sse'),
    service: plannedForProfile('sse', { concurrency: 1000 }),
    says: ['`api`', '1000 requests per instance', 'drops all of them', '`concurrency'],
    cites: ['docs/platform.md "Concurrency"', 'cloud.google.com/run/docs/about-concurrency'],
  },
  {
    rule: 'ingress-internal-smoke',
    config: configFor('sse'),
    service: plannedForProfile('sse', { ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY' }),
    says: ['`api`', 'INGRESS_TRAFFIC_INTERNAL_ONLY', 'tag URL', 'GitHub runner', '`ingress: all`'],
    cites: ['docs/platform.md "Ingress"', 'cloud.google.com/run/docs/securing/ingress'],
  },
  {
    rule: 'private-no-idtoken',
    config: configFor('sse', { ...directWif, allowUnauthenticated: false }),
    service: plannedForProfile('sse'),
    says: [
      '`api`',
      'cannot mint ID tokens',
      '`service_account`',
      'roles/iam.workloadIdentityUser',
      '`allow_unauthenticated: true`',
    ],
    cites: ['docs/platform.md "Service account impersonation"'],
  },
];

describe('finding text', () => {
  it.each(messageCases)('$rule names the service, the input to set and its source', (c) => {
    const finding = lintStreaming(c.config, c.service).find((f) => f.rule === c.rule);
    expect(finding).toBeDefined();
    for (const text of c.says) expect(finding?.message).toContain(text);
    for (const text of c.cites) expect(finding?.source).toContain(text);
  });

  it('covers every rule a case raises', () => {
    const raised = new Set(cases.flatMap((c) => c.expected.map((e) => e.split(':')[0])));
    expect(new Set(messageCases.map((c) => c.rule))).toEqual(raised);
  });

  it('states the actual timeout, not the default, when one is set', () => {
    const [finding] = lintStreaming(
      configFor('websocket'),
      plannedForProfile('websocket', { timeout: '45s' }),
    );
    expect(finding.message).toContain('45 s');
    expect(finding.message).toContain('80 times an hour');
  });
});

describe('blockingFindings', () => {
  const error: LintFinding = { rule: 'websocket-http2', severity: 'error', message: 'm', source: 's' };
  const warning: LintFinding = { rule: 'min-instances-zero', severity: 'warning', message: 'm', source: 's' };

  it.each([
    { level: 'warn' as const, findings: [warning, error], blocking: [error] },
    { level: 'strict' as const, findings: [warning, error], blocking: [warning, error] },
    { level: 'warn' as const, findings: [warning], blocking: [] },
    { level: 'strict' as const, findings: [warning], blocking: [warning] },
    { level: 'strict' as const, findings: [], blocking: [] },
  ])(
    'lint level $level: $blocking.length of $findings.length stop the release',
    ({ level, findings, blocking }) => {
      expect(blockingFindings(findings, level)).toEqual(blocking);
    },
  );
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

test.each([
  ['no smoke test (`smoke_protocol: none`)', { smoke: undefined }],
  ['a `smoke_url` the runner can reach', { smokeUrl: 'https://internal.example.com' }],
])('ingress-internal-smoke does not fire with %s', (_name, overrides) => {
  const planned: CloudRunService = {
    name: 'projects/my-project/locations/us-central1/services/api',
    ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
    template: {
      timeout: '3600s',
      maxInstanceRequestConcurrency: 250,
      scaling: { minInstanceCount: 1 },
      containers: [{ image: 'x', resources: { cpuIdle: false }, ports: [{ name: 'http1' }] }],
    },
    traffic: [],
  };
  expect(
    lintStreaming(configFor('sse', overrides as Partial<DeployConfig>), planned).map((f) => f.rule),
  ).toEqual([]);
  expect(lintStreaming(configFor('sse'), planned).map((f) => f.rule)).toEqual(['ingress-internal-smoke']);
});

describe('citeOrigins: a finding about a setting from the metadata file names its line', () => {
  const finding = (message: string): LintFinding => ({ rule: 'r', severity: 'error', message, source: 's' });
  const origins = {
    timeout: 'service.yaml:22 (`spec.template.spec.timeoutSeconds`)',
    concurrency: 'service.yaml:21 (x)',
  };

  test('an input named as `input` or `input: value` gets its origin; others are left alone', () => {
    const [a, b, c] = citeOrigins(
      [
        finding('Set `timeout: 3600` (the maximum).'),
        finding('Set `concurrency` to 250.'),
        finding('Set `port`.'),
      ],
      origins,
    );
    expect(a.message).toBe(
      'Set `timeout: 3600` (the maximum). (`timeout` comes from service.yaml:22 (`spec.template.spec.timeoutSeconds`))',
    );
    expect(b.message).toMatch(/\(`concurrency` comes from service\.yaml:21 \(x\)\)$/);
    expect(c.message).toBe('Set `port`.');
  });

  test('without a file, the findings are the same objects', () => {
    const list = [finding('Set `timeout: 3600`.')];
    expect(citeOrigins(list, {})).toBe(list);
  });
});
