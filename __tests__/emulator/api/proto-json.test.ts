import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { ServicesClient } from '@google-cloud/run';
import { OAuth2Client } from 'google-auth-library';
import {
  checkMessage,
  enumsToNumbers,
  enumsToStrings,
  fieldViolations,
  outputOnlyFields,
  REST_ONLY_FIELDS,
  withoutOutputOnly,
} from '../../../emulator/api/proto-json';

const SERVICE = 'google.cloud.run.v2.Service';
const PROTOS = '@google-cloud/run/build/protos/protos.json';

/** A deploy body in the shape docs/platform.md "JSON field names" describes for Cloud Run v2 (lowerCamel JSON names of the official protos). */
function serviceBody(): Record<string, unknown> {
  return {
    labels: { 'managed-by': 'stream-deploy', pr: '12' },
    ingress: 'INGRESS_TRAFFIC_ALL',
    launchStage: 'GA',
    template: {
      revision: 'api-00002-abc',
      serviceAccount: 'runtime@proj.iam.gserviceaccount.com',
      timeout: '3600s',
      maxInstanceRequestConcurrency: 250,
      sessionAffinity: true,
      executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      scaling: { minInstanceCount: 1, maxInstanceCount: 10 },
      containers: [
        {
          image: 'us-docker.pkg.dev/proj/repo/api@sha256:abc',
          args: ['--serve'],
          env: [
            { name: 'MODE', value: 'sse' },
            { name: 'API_KEY', valueSource: { secretKeyRef: { secret: 'api-key', version: 'latest' } } },
          ],
          ports: [{ name: 'h2c', containerPort: 8080 }],
          resources: { limits: { cpu: '1', memory: '512Mi' }, cpuIdle: false, startupCpuBoost: true },
        },
      ],
    },
    traffic: [
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00001-xyz', percent: 100 },
      { type: 2, revision: 'api-00002-abc', percent: 0, tag: 'pr-12' },
    ],
  };
}

/** A fresh serviceBody() with `edit` applied. */
function editedBody(edit: (body: any) => void): Record<string, unknown> {
  const body = serviceBody();
  edit(body);
  return body;
}

describe('checkMessage accepts what Cloud Run v2 accepts', () => {
  test.each<[string, Record<string, unknown>]>([
    ['the realistic deploy body', serviceBody()],
    [
      'executionEnvironment and traffic type as numbers (enum-encoding=int, docs/platform.md "Wire format")',
      editedBody((b) => {
        b.template.executionEnvironment = 1;
        b.traffic[0].type = 2;
      }),
    ],
    [
      'original snake_case field names',
      editedBody((b) => {
        b.template.max_instance_request_concurrency = b.template.maxInstanceRequestConcurrency;
        delete b.template.maxInstanceRequestConcurrency;
        b.template.containers[0].ports[0] = { name: 'h2c', container_port: 8080 };
        b.template.containers[0].resources = { cpu_idle: false, startup_cpu_boost: true };
        b.template.containers[0].env[1] = {
          name: 'K',
          value_source: { secret_key_ref: { secret: 's', version: '1' } },
        };
      }),
    ],
    [
      'null for any field (means default)',
      editedBody((b) => {
        b.template.timeout = null;
        b.traffic = null;
        b.template.scaling = null;
      }),
    ],
    [
      'output-only fields echoed back from a GET',
      editedBody((b) => {
        b.uid = 'f00';
        b.generation = '3';
        b.reconciling = false;
        b.conditions = [
          { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: '2024-05-01T10:00:00.123Z' },
        ];
        b.terminalCondition = { type: 'Ready', state: 4 };
        b.trafficStatuses = [
          {
            type: 2,
            revision: 'api-00002-abc',
            percent: 0,
            tag: 'pr-12',
            uri: 'https://pr-12---api-h.a.run.app',
          },
        ];
      }),
    ],
    [
      'int64 as a decimal string and as a number',
      editedBody((b) => {
        b.generation = '42';
        b.observedGeneration = 42;
      }),
    ],
    [
      'fractional Duration',
      editedBody((b) => {
        b.template.timeout = '1.5s';
      }),
    ],
  ])('%s', (_name, body) => {
    expect(checkMessage(SERVICE, body, 'service')).toEqual([]);
  });

  test('other message types the emulator serves', () => {
    const policy = {
      version: 3,
      etag: 'BwX1a2b3c4Q=',
      bindings: [{ role: 'roles/run.invoker', members: ['allUsers'], condition: { expression: 'true' } }],
    };
    expect(
      checkMessage('google.iam.v1.SetIamPolicyRequest', { policy, updateMask: 'bindings,etag' }),
    ).toEqual([]);
    expect(
      checkMessage('google.longrunning.Operation', {
        name: 'projects/p/locations/l/operations/1',
        done: true,
        metadata: {
          '@type': 'type.googleapis.com/google.cloud.run.v2.Service',
          name: 'x',
          reconciling: true,
        },
        error: { code: 9, message: "Revision 'api-00002-abc' is not ready and cannot serve traffic." },
      }),
    ).toEqual([]);
  });
});

describe('checkMessage rejects what Cloud Run v2 rejects, naming the JSON path', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['unknown top-level field', editedBody((b) => (b.foo = 1)), ['service.foo: unknown field']],
    [
      'unknown field in the template',
      editedBody((b) => (b.template.concurrency = 80)),
      ['service.template.concurrency: unknown field'],
    ],
    [
      'unknown field in a container',
      editedBody((b) => (b.template.containers[0].foo = 'x')),
      ['service.template.containers[0].foo: unknown field'],
    ],
    [
      'unknown field deep in an env source',
      editedBody((b) => (b.template.containers[0].env[1].valueSource.secretKeyRef.key = 'k')),
      ['service.template.containers[0].env[1].valueSource.secretKeyRef.key: unknown field'],
    ],
    [
      'timeout as a number',
      editedBody((b) => (b.template.timeout = 3600)),
      ['service.template.timeout: expected a Duration string like "3.5s", got number'],
    ],
    [
      'timeout without the s suffix',
      editedBody((b) => (b.template.timeout = '3600')),
      ['service.template.timeout: expected a Duration string like "3.5s", got "3600"'],
    ],
    [
      'maxInstanceRequestConcurrency as "abc"',
      editedBody((b) => (b.template.maxInstanceRequestConcurrency = 'abc')),
      ['service.template.maxInstanceRequestConcurrency: expected an integer (int32), got "abc"'],
    ],
    [
      'traffic not an array',
      editedBody((b) => (b.traffic = { type: 1, percent: 100 })),
      ['service.traffic: expected an array, got object'],
    ],
    [
      'percent as a boolean',
      editedBody((b) => (b.traffic[0].percent = true)),
      ['service.traffic[0].percent: expected an integer (int32), got boolean'],
    ],
    [
      'sessionAffinity as a string',
      editedBody((b) => (b.template.sessionAffinity = 'true')),
      ['service.template.sessionAffinity: expected a boolean, got "true"'],
    ],
    [
      'a list for a single message',
      editedBody((b) => (b.template.scaling = [{ minInstanceCount: 1 }])),
      ['service.template.scaling: expected a single value, got array'],
    ],
    [
      'label value not a string',
      editedBody((b) => (b.labels.pr = 12)),
      ['service.labels["pr"]: expected a string, got number'],
    ],
    [
      'null inside a list',
      editedBody((b) => (b.template.containers[0].args = ['--serve', null])),
      ['service.template.containers[0].args[1]: null is not allowed in a list'],
    ],
    [
      'value and valueSource both set (oneof values)',
      editedBody((b) => (b.template.containers[0].env[0].valueSource = {})),
      ['service.template.containers[0].env[0].valueSource: oneof "values" already set by value'],
    ],
  ])('%s', (_name, body, expected) => {
    expect(checkMessage(SERVICE, body, 'service')).toEqual(expected);
  });

  test.each<[string, Record<string, unknown>]>([
    ['unknown enum name', editedBody((b) => (b.ingress = 'INGRESS_TRAFFIC_EVERYONE'))],
    ['unknown enum number', editedBody((b) => (b.traffic[1].type = 3))],
    [
      'enum name in the wrong case',
      editedBody((b) => (b.template.executionEnvironment = 'execution_environment_gen2')),
    ],
  ])('%s', (_name, body) => {
    const problems = checkMessage(SERVICE, body, 'service');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^service\.(ingress|traffic\[1\]\.type|template\.executionEnvironment): expected a \w+ enum name/,
    );
  });

  test('a oneof with two members set is one problem', () => {
    const op = {
      name: 'o',
      done: true,
      error: { code: 9 },
      response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service' },
    };
    expect(checkMessage('google.longrunning.Operation', op)).toEqual([
      'response: oneof "result" already set by error',
    ]);
  });

  test('well-known types: Timestamp, FieldMask, Any, bytes', () => {
    expect(checkMessage(SERVICE, { createTime: 'yesterday' })).toEqual([
      'createTime: expected an RFC 3339 Timestamp string like "2024-01-02T03:04:05Z", got "yesterday"',
    ]);
    expect(checkMessage('google.iam.v1.SetIamPolicyRequest', { updateMask: 'bindings, etag' })).toHaveLength(
      1,
    );
    expect(checkMessage('google.longrunning.Operation', { metadata: { name: 'x' } })).toHaveLength(1);
    expect(checkMessage('google.iam.v1.Policy', { etag: 'not base64!' })).toEqual([
      'etag: expected a base64 string (bytes), got "not base64!"',
    ]);
  });

  test('fieldViolations words problems as Google does, with proto paths', () => {
    const body = editedBody((b) => {
      b.template.foo = 1;
      b.template.timeout = 30;
    });
    expect(fieldViolations(SERVICE, body, 'service')).toEqual([
      {
        field: 'service.template.timeout',
        description:
          "Invalid value at 'service.template.timeout' (type.googleapis.com/google.protobuf.Duration), 30",
      },
      {
        field: 'service.template',
        description: `Invalid JSON payload received. Unknown name "foo" at 'service.template': Cannot find field.`,
      },
    ]);
    expect(fieldViolations(SERVICE, { bar: true })[0].description).toBe(
      'Invalid JSON payload received. Unknown name "bar": Cannot find field.',
    );
  });
});

describe('output-only fields', () => {
  test('outputOnlyFields lists the Service status fields', () => {
    const fields = outputOnlyFields(SERVICE);
    expect(fields).toEqual(
      expect.arrayContaining([
        'uid',
        'generation',
        'conditions',
        'terminalCondition',
        'trafficStatuses',
        'uri',
        'reconciling',
      ]),
    );
    expect(fields).not.toContain('template');
    expect(fields).not.toContain('traffic');
  });

  test('withoutOutputOnly drops them at every depth', () => {
    const body = editedBody((b) => {
      b.uid = 'u';
      b.reconciling = true;
      b.terminalCondition = { state: 4 };
      b.template.containers[0].buildInfo = { functionTarget: 'f', sourceLocation: 'gs://b/o' };
    });
    expect(withoutOutputOnly(SERVICE, body)).toEqual(serviceBody());
  });
});

describe('bodies sent by the real @google-cloud/run client over REST', () => {
  let server: http.Server;
  let client: ServicesClient;
  const bodies: Array<{ method: string; url: string; body: unknown }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        bodies.push({
          method: req.method ?? '',
          url: req.url ?? '',
          body: raw ? JSON.parse(raw) : undefined,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            req.url?.includes(':setIamPolicy') ? { version: 1 } : { name: 'operations/1', done: false },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3_600_000 });
    client = new ServicesClient({
      apiEndpoint: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      fallback: true,
      protocol: 'http',
      authClient,
    } as ConstructorParameters<typeof ServicesClient>[0]);
  });

  afterAll(async () => {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('createService, updateService and setIamPolicy bodies fit the protos', async () => {
    const service = {
      ...serviceBody(),
      ingress: 'INGRESS_TRAFFIC_ALL' as const,
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const, percent: 100 }],
      template: { ...(serviceBody().template as object), timeout: { seconds: 3600 } },
    };
    await client.createService({ parent: 'projects/p/locations/us-central1', serviceId: 'api', service });
    await client.updateService({
      service: { ...service, name: 'projects/p/locations/us-central1/services/api' },
    });
    await client.setIamPolicy({
      resource: 'projects/p/locations/us-central1/services/api',
      policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
    });

    expect(bodies.map((b) => b.method)).toEqual(['POST', 'PATCH', 'POST']);
    const [created, updated, iam] = bodies;
    expect(created.url).toContain('enum-encoding=int');
    expect(checkMessage(SERVICE, created.body, 'service')).toEqual([]);
    expect(checkMessage(SERVICE, updated.body, 'service')).toEqual([]);
    expect(checkMessage('google.iam.v1.SetIamPolicyRequest', iam.body)).toEqual([]);
    // The client really sends numeric enums and Duration strings (docs/platform.md "Wire format").
    const sent = created.body as { ingress: unknown; template: { timeout: unknown } };
    expect(sent.ingress).toBe(1);
    expect(sent.template.timeout).toBe('3600s');
    expect(enumsToStrings(SERVICE, created.body)).toMatchObject({ ingress: 'INGRESS_TRAFFIC_ALL' });
  });
});

describe('REST-only fields (cloud.google.com/run/docs/reference/rest/v2/RevisionScaling)', () => {
  test('the allow-list names fields the shipped protos lack, and only those', () => {
    expect(REST_ONLY_FIELDS['google.cloud.run.v2.RevisionScaling']).toEqual({
      cpuUtilization: 'number',
      concurrencyUtilization: 'number',
    });
    // The shipped protos lack them (else the entry is stale and should go).
    const protos = JSON.parse(
      fs.readFileSync(createRequire(`${process.cwd()}/package.json`).resolve(PROTOS), 'utf8'),
    );
    const v2 = protos.nested.google.nested.cloud.nested.run.nested.v2.nested;
    expect(Object.keys(v2.RevisionScaling.fields)).not.toContain('cpuUtilization');
    expect(Object.keys(v2.RevisionScaling.fields)).not.toContain('concurrencyUtilization');
    expect(checkMessage('google.cloud.run.v2.RevisionScaling', { cpuUtilization: 0.6 })).toEqual([]);
  });

  test('accepted as numbers in a service body, refused when mistyped; other unknown names still refused', () => {
    const ok = editedBody((b) => {
      b.template.scaling = { minInstanceCount: 1, cpuUtilization: 0.6, concurrencyUtilization: 0.8 };
    });
    expect(checkMessage(SERVICE, ok)).toEqual([]);
    const mistyped = editedBody((b) => (b.template.scaling = { cpuUtilization: 'high' }));
    expect(checkMessage(SERVICE, mistyped)).toEqual([
      'template.scaling.cpuUtilization: expected a number, got string',
    ]);
    const unknown = editedBody((b) => (b.template.scaling = { gpuUtilization: 0.5 }));
    expect(fieldViolations(SERVICE, unknown, 'service')[0].description).toBe(
      'Invalid JSON payload received. Unknown name "gpuUtilization" at \'service.template.scaling\': Cannot find field.',
    );
  });

  test('kept through enum encoding both ways', () => {
    const body = editedBody((b) => (b.template.scaling = { cpuUtilization: 0.6 }));
    expect((enumsToNumbers(SERVICE, body) as any).template.scaling.cpuUtilization).toBe(0.6);
    expect((enumsToStrings(SERVICE, body) as any).template.scaling.cpuUtilization).toBe(0.6);
  });
});
