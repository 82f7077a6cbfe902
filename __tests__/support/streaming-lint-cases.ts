// The streaming linter's case table (__tests__/core/streaming-lint.test.ts): configs and planned services
// built by hand, and every finding each case must raise.
import type { CloudRunService, IngressSetting } from '../../src/core/cloud-run-types';
import { PROFILE_DEFAULTS, type DeployConfig, type Profile } from '../../src/core/config';
import { deployConfig } from './deploy-config';

// Built by hand: the inputs parser is not this test's subject.
export function configFor(profile: Profile, overrides: Partial<DeployConfig> = {}): DeployConfig {
  return deployConfig({
    projectId: 'my-project',
    image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
    profile,
    allowUnauthenticated: true,
    revisionSuffix: 'abc1234-1',
    deployTimeoutSeconds: 600,
    smoke: {
      protocol: 'sse',
      path: '/events',
      healthPath: '/health',
      healthTimeoutMs: 60_000,
      durationMs: 10_000,
      firstEventTimeoutMs: 5000,
      minEvents: 3,
      maxGapMs: 5000,
      connections: 1,
      checkReconnect: true,
    },
    ...overrides,
  });
}

/** The fields a plan can carry; `undefined` leaves the field out (Cloud Run's default applies). */
export interface PlanShape {
  timeout?: string;
  concurrency?: number;
  minInstances?: number;
  sessionAffinity?: boolean;
  portName?: 'h2c' | 'http1';
  resources?: { cpuIdle?: boolean; limits?: Record<string, string> };
  ingress?: IngressSetting;
  invokerIamDisabled?: boolean;
}

// A planned service carrying exactly the given fields, the way the planner writes them.
export function planned(shape: PlanShape): CloudRunService {
  const service: CloudRunService = {
    name: 'projects/my-project/locations/us-central1/services/api',
    template: {
      revision: 'api-abc1234-1',
      containers: [
        {
          image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
          ...(shape.portName ? { ports: [{ name: shape.portName, containerPort: 8080 }] } : {}),
          ...(shape.resources ? { resources: shape.resources } : {}),
        },
      ],
    },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
  };
  if (shape.timeout !== undefined) service.template.timeout = shape.timeout;
  if (shape.concurrency !== undefined) service.template.maxInstanceRequestConcurrency = shape.concurrency;
  if (shape.minInstances !== undefined) service.template.scaling = { minInstanceCount: shape.minInstances };
  if (shape.sessionAffinity !== undefined) service.template.sessionAffinity = shape.sessionAffinity;
  if (shape.ingress !== undefined) service.ingress = shape.ingress;
  if (shape.invokerIamDisabled !== undefined) service.invokerIamDisabled = shape.invokerIamDisabled;
  return service;
}

// What the planner sends for a profile's own defaults: every streaming field set.
export function plannedForProfile(profile: Profile, overrides: PlanShape = {}): CloudRunService {
  const s = PROFILE_DEFAULTS[profile];
  return planned({
    timeout: `${s.timeoutSeconds}s`,
    concurrency: s.concurrency,
    minInstances: s.minInstances,
    sessionAffinity: s.sessionAffinity,
    portName: s.useHttp2 ? 'h2c' : 'http1',
    resources: { cpuIdle: !s.cpuAlwaysAllocated, limits: { cpu: '1', memory: '512Mi' } },
    ingress: 'INGRESS_TRAFFIC_ALL',
    ...overrides,
  });
}

export const directWif = {
  workloadIdentityProvider: 'projects/123/locations/global/workloadIdentityPools/github/providers/repo',
};

export interface Case {
  name: string;
  config: DeployConfig;
  service: CloudRunService;
  /** Every finding expected, as `rule:severity`; anything else firing fails the case. */
  expected: string[];
}

export const cases: Case[] = [
  // Each profile's own defaults are sound.
  ...(['sse', 'websocket', 'grpc', 'http'] as const).map((profile) => ({
    name: `the ${profile} profile's defaults raise nothing`,
    config: configFor(profile),
    service: plannedForProfile(profile),
    expected: [],
  })),

  // Missing fields mean Cloud Run's defaults: 300 s, concurrency 80, min 0, CPU during requests, http1.
  {
    name: 'an SSE plan that sets nothing is judged by Cloud Run defaults (docs/platform.md "Request timeout")',
    config: configFor('sse'),
    service: planned({}),
    expected: ['timeout-too-short:warning', 'cpu-throttled:warning', 'min-instances-zero:warning'],
  },
  {
    name: 'a WebSocket plan that sets nothing also lacks session affinity',
    config: configFor('websocket'),
    service: planned({}),
    expected: [
      'timeout-too-short:warning',
      'websocket-no-affinity:warning',
      'cpu-throttled:warning',
      'min-instances-zero:warning',
    ],
  },
  {
    name: 'a gRPC plan that sets nothing also lacks end-to-end HTTP/2',
    config: configFor('grpc'),
    service: planned({}),
    expected: [
      'timeout-too-short:warning',
      'grpc-no-http2:warning',
      'cpu-throttled:warning',
      'min-instances-zero:warning',
    ],
  },
  {
    name: 'an http plan on Cloud Run defaults raises nothing: request/response needs none of this',
    config: configFor('http'),
    service: planned({}),
    expected: [],
  },

  // timeout-too-short (docs/platform.md "A stream is one request").
  {
    name: 'timeout 59 s on SSE is an error',
    config: configFor('sse'),
    service: plannedForProfile('sse', { timeout: '59s' }),
    expected: ['timeout-too-short:error'],
  },
  {
    name: 'timeout 60 s on WebSocket is a warning',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { timeout: '60s' }),
    expected: ['timeout-too-short:warning'],
  },
  {
    name: 'timeout 899 s on gRPC is a warning',
    config: configFor('grpc'),
    service: plannedForProfile('grpc', { timeout: '899s' }),
    expected: ['timeout-too-short:warning'],
  },
  {
    name: 'timeout 900 s on SSE is long enough',
    config: configFor('sse'),
    service: plannedForProfile('sse', { timeout: '900s' }),
    expected: [],
  },
  {
    name: 'timeout 30 s on http is not a stream problem',
    config: configFor('http'),
    service: plannedForProfile('http', { timeout: '30s' }),
    expected: [],
  },

  {
    name: 'a Duration the linter cannot read is not judged',
    config: configFor('sse'),
    service: plannedForProfile('sse', { timeout: 'PT5M' }),
    expected: [],
  },

  // websocket-http2 (docs/platform.md "WebSockets advice").
  {
    name: 'WebSocket with an h2c port is an error',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { portName: 'h2c' }),
    expected: ['websocket-http2:error'],
  },
  {
    name: 'SSE with an h2c port is fine',
    config: configFor('sse'),
    service: plannedForProfile('sse', { portName: 'h2c' }),
    expected: [],
  },

  // websocket-no-affinity (docs/platform.md "Session affinity").
  {
    name: 'WebSocket with session affinity off is a warning',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { sessionAffinity: false }),
    expected: ['websocket-no-affinity:warning'],
  },
  {
    name: 'SSE without session affinity is fine',
    config: configFor('sse'),
    service: plannedForProfile('sse', { sessionAffinity: false }),
    expected: [],
  },

  // grpc-no-http2 (cloud.google.com/run/docs/triggering/grpc).
  {
    name: 'gRPC on an http1 port is a warning',
    config: configFor('grpc'),
    service: plannedForProfile('grpc', { portName: 'http1' }),
    expected: ['grpc-no-http2:warning'],
  },
  {
    name: 'WebSocket on an http1 port is what it should be',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { portName: 'http1' }),
    expected: [],
  },

  // cpu-throttled (docs/platform.md "CPU always allocated").
  {
    name: 'SSE with cpuIdle true is a warning',
    config: configFor('sse'),
    service: plannedForProfile('sse', { resources: { cpuIdle: true } }),
    expected: ['cpu-throttled:warning'],
  },
  {
    name: 'resources sent without cpuIdle mean CPU always allocated',
    config: configFor('grpc'),
    service: plannedForProfile('grpc', { resources: { limits: { cpu: '2', memory: '1Gi' } } }),
    expected: [],
  },
  {
    name: 'http with CPU only during requests is fine',
    config: configFor('http'),
    service: plannedForProfile('http', { resources: { cpuIdle: true } }),
    expected: [],
  },

  // min-instances-zero.
  {
    name: 'WebSocket with min instances 0 is a warning',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { minInstances: 0 }),
    expected: ['min-instances-zero:warning'],
  },
  {
    name: 'http with min instances 0 is fine',
    config: configFor('http'),
    service: plannedForProfile('http', { minInstances: 0 }),
    expected: [],
  },

  // concurrency-one / concurrency-too-high (docs/platform.md "Concurrency").
  {
    name: 'SSE with concurrency 1 is a warning',
    config: configFor('sse'),
    service: plannedForProfile('sse', { concurrency: 1 }),
    expected: ['concurrency-one:warning'],
  },
  {
    name: 'SSE with concurrency 2 is low but not one instance per stream',
    config: configFor('sse'),
    service: plannedForProfile('sse', { concurrency: 2 }),
    expected: [],
  },
  {
    name: 'concurrency 0 means the default 80, which is fine',
    config: configFor('sse'),
    service: plannedForProfile('sse', { concurrency: 0 }),
    expected: [],
  },
  {
    name: 'gRPC with concurrency 501 is a warning',
    config: configFor('grpc'),
    service: plannedForProfile('grpc', { concurrency: 501 }),
    expected: ['concurrency-too-high:warning'],
  },
  {
    name: 'WebSocket with concurrency 500 is fine',
    config: configFor('websocket'),
    service: plannedForProfile('websocket', { concurrency: 500 }),
    expected: [],
  },
  {
    name: 'http with concurrency 1 is fine',
    config: configFor('http'),
    service: plannedForProfile('http', { concurrency: 1 }),
    expected: [],
  },
  {
    name: 'http with concurrency 1000 is fine',
    config: configFor('http'),
    service: plannedForProfile('http', { concurrency: 1000 }),
    expected: [],
  },

  // ingress-internal-smoke: every profile has a smoke test.
  ...(
    [
      ['INGRESS_TRAFFIC_INTERNAL_ONLY', 'sse'],
      ['INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER', 'websocket'],
      ['INGRESS_TRAFFIC_NONE', 'http'],
    ] as const
  ).map(([ingress, profile]) => ({
    name: `${ingress} on ${profile} is an error: the runner cannot reach the tag URL`,
    config: configFor(profile),
    service: plannedForProfile(profile, { ingress }),
    expected: ['ingress-internal-smoke:error'],
  })),
  {
    name: 'ingress left out means all, which is fine',
    config: configFor('sse'),
    service: plannedForProfile('sse', { ingress: undefined }),
    expected: [],
  },

  // private-no-idtoken (docs/platform.md "Service account impersonation").
  {
    name: 'direct WIF deploying an explicitly private service is an error',
    config: configFor('sse', { ...directWif, allowUnauthenticated: false }),
    service: plannedForProfile('sse'),
    expected: ['private-no-idtoken:error'],
  },
  {
    name: 'direct WIF with the invoker policy left alone is a warning (the service may already be public)',
    config: configFor('sse', { ...directWif, allowUnauthenticated: undefined }),
    service: plannedForProfile('sse'),
    expected: ['private-no-idtoken:warning'],
  },
  {
    name: 'direct WIF deploying a public service is fine',
    config: configFor('sse', { ...directWif, allowUnauthenticated: true }),
    service: plannedForProfile('sse'),
    expected: [],
  },
  {
    name: 'direct WIF with the invoker IAM check disabled is fine',
    config: configFor('sse', { ...directWif, allowUnauthenticated: false }),
    service: plannedForProfile('sse', { invokerIamDisabled: true }),
    expected: [],
  },
  {
    name: 'WIF through a service account can mint ID tokens',
    config: configFor('sse', {
      ...directWif,
      serviceAccount: 'deployer@my-project.iam.gserviceaccount.com',
      allowUnauthenticated: false,
    }),
    service: plannedForProfile('sse'),
    expected: [],
  },
  {
    name: 'credentials already in the job are not judged',
    config: configFor('sse', { allowUnauthenticated: false }),
    service: plannedForProfile('sse'),
    expected: [],
  },

  // Several at once, and errors come first.
  {
    name: 'a badly planned WebSocket service raises every matching rule',
    config: configFor('websocket', { ...directWif, allowUnauthenticated: false }),
    service: planned({
      timeout: '30s',
      concurrency: 1,
      portName: 'h2c',
      resources: { cpuIdle: true },
      ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
    }),
    expected: [
      'timeout-too-short:error',
      'websocket-http2:error',
      'ingress-internal-smoke:error',
      'private-no-idtoken:error',
      'websocket-no-affinity:warning',
      'cpu-throttled:warning',
      'min-instances-zero:warning',
      'concurrency-one:warning',
    ],
  },
];
