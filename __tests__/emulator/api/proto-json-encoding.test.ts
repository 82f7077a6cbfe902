// The emulator's JSON forms of Cloud Run v2 messages: enums as names or numbers, and a template as the
// server compares it (emulator/api/proto-json.ts).
import { enumsToNumbers, enumsToStrings, presenceCanonical } from '../../../emulator/api/proto-json';

const SERVICE = 'google.cloud.run.v2.Service';

describe('enum encoding', () => {
  const withStrings = {
    name: 'projects/p/locations/l/services/api',
    ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
    launchStage: 'BETA',
    template: { executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN1', containers: [{ image: 'i' }] },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    conditions: [{ type: 'Ready', state: 'CONDITION_SUCCEEDED', severity: 'INFO' }],
    terminalCondition: {
      type: 'Ready',
      state: 'CONDITION_FAILED',
      revisionReason: 'HEALTH_CHECK_CONTAINER_ERROR',
    },
    trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-1', percent: 100 }],
    labels: { env: 'INGRESS_TRAFFIC_ALL' },
  };
  // Numbers from the official protos' enum declarations.
  const withNumbers = {
    ...withStrings,
    ingress: 2,
    launchStage: 3,
    template: { executionEnvironment: 1, containers: [{ image: 'i' }] },
    traffic: [{ type: 1, percent: 100 }],
    conditions: [{ type: 'Ready', state: 4, severity: 3 }],
    terminalCondition: { type: 'Ready', state: 3, revisionReason: 6 },
    trafficStatuses: [{ type: 2, revision: 'api-1', percent: 100 }],
  };

  test('enumsToNumbers writes every enum field as its number and leaves other strings alone', () => {
    expect(enumsToNumbers(SERVICE, withStrings)).toEqual(withNumbers);
  });

  test('enumsToStrings reverses it, and keeps names that are already names', () => {
    expect(enumsToStrings(SERVICE, withNumbers)).toEqual(withStrings);
    expect(enumsToStrings(SERVICE, withStrings)).toEqual(withStrings);
  });

  test('returns a copy and leaves unknown values as they are', () => {
    const input = { ingress: 99, traffic: [{ type: 'NOPE' }] };
    const out = enumsToStrings(SERVICE, input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out.traffic).not.toBe(input.traffic);
  });

  test('follows Any into an LRO response (docs/platform.md "Wire format": LRO results are decoded with numeric enums)', () => {
    const op = {
      name: 'o',
      done: true,
      response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...withStrings },
    };
    expect(enumsToNumbers('google.longrunning.Operation', op)).toEqual({
      ...op,
      response: { ...op.response, ...withNumbers },
    });
  });
});

describe('presenceCanonical: a template as the server compares it', () => {
  const T = 'google.cloud.run.v2.RevisionTemplate';
  const stored = {
    timeout: '300s',
    maxInstanceRequestConcurrency: 80,
    scaling: { maxInstanceCount: 100 },
    containers: [{ image: 'x', ports: [{ name: 'http1', containerPort: 8080 }] }],
  };
  const key = (t: unknown) => JSON.stringify(presenceCanonical(T, t));

  test('what the @google-cloud/run client adds on a round trip (implicit-presence defaults, numeric enums) parses the same', () => {
    const echoed = {
      ...stored,
      revision: '',
      labels: {},
      executionEnvironment: 0,
      encryptionKeyRevocationAction: 'ENCRYPTION_KEY_REVOCATION_ACTION_UNSPECIFIED',
      sessionAffinity: false,
      scaling: { minInstanceCount: 0, maxInstanceCount: 100 },
      containers: [{ ...stored.containers[0], name: '', workingDir: '', args: [] }],
    };
    expect(key(echoed)).toBe(key(stored));
  });

  test('no server default is filled in, message presence counts, REST-only fields count', () => {
    expect(key({ containers: stored.containers })).not.toBe(key(stored));
    expect(key({ ...stored, vpcAccess: {} })).not.toBe(key(stored));
    expect(key({ ...stored, scaling: { maxInstanceCount: 100, cpuUtilization: 0.6 } })).not.toBe(key(stored));
    expect(key({ ...stored, executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2' })).not.toBe(key(stored));
  });

  test('Durations and int32 numbers compare by value', () => {
    expect(key({ ...stored, timeout: '300.000s', maxInstanceRequestConcurrency: '80' })).toBe(key(stored));
  });
});
