// The Knative service.yaml translation (src/inputs/knative/): each row of the mapping table, and each trap
// the issue names, reported at its line.
import { readFileSync } from 'node:fs';
import { ANNOTATIONS } from '../../../src/inputs/knative/mapping';
import { translateKnative } from '../../../src/inputs/knative/translate';

const example = (name: string) =>
  readFileSync(new URL(`../../../examples/knative/${name}`, import.meta.url), 'utf8');

/** A service.yaml with the given template annotations, container lines and extra service annotations. */
function yaml(
  parts: { service?: string; template?: string; container?: string; spec?: string } = {},
): string {
  return [
    'apiVersion: serving.knative.dev/v1',
    'kind: Service',
    'metadata:',
    '  name: api',
    ...(parts.service ? ['  annotations:', ...parts.service.split('\n').map((l) => `    ${l}`)] : []),
    'spec:',
    '  template:',
    ...(parts.template
      ? ['    metadata:', '      annotations:', ...parts.template.split('\n').map((l) => `        ${l}`)]
      : []),
    '    spec:',
    ...(parts.spec ? parts.spec.split('\n').map((l) => `      ${l}`) : []),
    '      containers:',
    '        - image: us-docker.pkg.dev/p/r/api:1',
    ...(parts.container ? parts.container.split('\n').map((l) => `          ${l}`) : []),
    '',
  ].join('\n');
}

describe('translateKnative: the example service.yaml', () => {
  const t = translateKnative(example('service.yaml'), 'service.yaml');

  test('becomes the inputs it maps to, each with its line', () => {
    expect(t.errors).toEqual([]);
    expect(t.warnings).toEqual([]);
    expect(t.inputs).toEqual({
      service: 'stream-api',
      labels: 'team=streams',
      ingress: 'all',
      max_instances: '20',
      cpu_always_allocated: 'true',
      startup_cpu_boost: 'true',
      execution_environment: 'gen2',
      concurrency: '250',
      timeout: '3600s',
      image: 'us-docker.pkg.dev/demo-project/streams/stream-app:v2',
      use_http2: 'false',
      port: '8080',
      env_vars: 'TICK_MS=100',
      cpu: '1',
      memory: '512Mi',
    });
    expect(t.origins.timeout).toBe('service.yaml:22 (`spec.template.spec.timeoutSeconds`)');
    expect(t.origins.cpu_always_allocated).toMatch(/^service\.yaml:17 /);
  });

  test('the fields no input covers become v2 fields', () => {
    expect(t.extras).toMatchObject({
      description: 'Server-Sent Events API',
      container: { startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 30 } },
    });
  });
});

describe("translateKnative: the seed document's mistakes, each at its line", () => {
  const t = translateKnative(example('seed-mistakes.yaml'), 'seed.yaml');

  test.each([
    ['seed.yaml:7', /autoscaling\.knative\.dev\/minScale` belongs on the revision template/],
    ['seed.yaml:8', /run\.googleapis\.com\/timeout` is not a Cloud Run annotation.*300 s/],
    ['seed.yaml:14', /run\.googleapis\.com\/ingress` belongs on the service/],
    ['seed.yaml:23', /`PORT` is set by Cloud Run/],
  ])('error at %s', (at, text) => {
    expect(t.errors.filter((e) => e.startsWith(`${at}: `) && text.test(e))).toHaveLength(1);
  });

  test('four errors, nothing else refused', () => expect(t.errors).toHaveLength(4));

  test.each([
    ['seed.yaml:12', /revision.*ignored|ignored.*409/],
    ['seed.yaml:25', /`resources` without `run\.googleapis\.com\/cpu-throttling`/],
    ['seed.yaml:29', /`spec\.traffic` is ignored/],
  ])('warning at %s', (at, text) => {
    expect(t.warnings.filter((w) => w.startsWith(`${at}: `) && text.test(w))).toHaveLength(1);
  });

  test('the h2c port is read (the inputs refuse it with WebSockets, where the profile is known)', () => {
    expect(t.inputs.use_http2).toBe('true');
    expect(t.origins.use_http2).toMatch(/^seed\.yaml:20 /);
  });
});

describe('translateKnative: the mapping table', () => {
  test.each([
    ['run.googleapis.com/cpu-throttling', "'true'", 'cpu_always_allocated', 'false'],
    ['run.googleapis.com/cpu-throttling', "'false'", 'cpu_always_allocated', 'true'],
    ['run.googleapis.com/sessionAffinity', "'true'", 'session_affinity', 'true'],
    ['run.googleapis.com/startup-cpu-boost', "'false'", 'startup_cpu_boost', 'false'],
    ['run.googleapis.com/execution-environment', 'gen1', 'execution_environment', 'gen1'],
    ['autoscaling.knative.dev/minScale', "'2'", 'min_instances', '2'],
    ['autoscaling.knative.dev/maxScale', "'9'", 'max_instances', '9'],
  ])('template annotation %s: %s becomes %s %s', (key, value, input, want) => {
    const t = translateKnative(yaml({ template: `${key}: ${value}` }), 's.yaml');
    expect(t.errors).toEqual([]);
    expect(t.inputs[input]).toBe(want);
  });

  test('a template minScale is a revision floor, a service minScale a service floor', () => {
    const rev = translateKnative(yaml({ template: "autoscaling.knative.dev/minScale: '1'" }), 's.yaml');
    const svc = translateKnative(yaml({ service: "run.googleapis.com/minScale: '1'" }), 's.yaml');
    expect(rev.inputs.min_instances_level).toBe('revision');
    expect(svc.inputs.min_instances_level).toBe('service');
  });

  test('invoker-iam-disabled makes the service public through the invoker check', () => {
    const t = translateKnative(
      yaml({ service: "run.googleapis.com/invoker-iam-disabled: 'true'" }),
      's.yaml',
    );
    expect(t.inputs).toMatchObject({ allow_unauthenticated: 'true', public_access_method: 'invoker-check' });
  });

  test('VPC access annotations become the vpc_* inputs', () => {
    const t = translateKnative(
      yaml({
        template: [
          'run.googleapis.com/vpc-access-egress: private-ranges-only',
          'run.googleapis.com/network-interfaces: \'[{"network":"default","subnetwork":"apps","tags":["web","db"]}]\'',
        ].join('\n'),
      }),
      's.yaml',
    );
    expect(t.errors).toEqual([]);
    expect(t.inputs).toMatchObject({
      vpc_egress: 'private-ranges-only',
      vpc_network: 'default',
      vpc_subnet: 'apps',
      vpc_network_tags: 'web,db',
    });
    expect(t.origins.vpc_subnet).toMatch(/^s\.yaml:\d+ /);
  });

  test('a connector annotation becomes vpc_connector; a bad egress or two interfaces are refused by line', () => {
    const ok = translateKnative(
      yaml({ template: 'run.googleapis.com/vpc-access-connector: my-connector' }),
      's.yaml',
    );
    expect(ok.inputs.vpc_connector).toBe('my-connector');
    const bad = translateKnative(
      yaml({
        template: [
          'run.googleapis.com/vpc-access-egress: everything',
          'run.googleapis.com/network-interfaces: \'[{"network":"a"},{"network":"b"}]\'',
        ].join('\n'),
      }),
      's.yaml',
    );
    expect(bad.errors).toHaveLength(2);
    expect(bad.errors[0]).toMatch(/^s\.yaml:\d+: `run\.googleapis\.com\/vpc-access-egress`: "everything"/);
    expect(bad.errors[1]).toMatch(/network-interfaces` must be a JSON list of one interface/);
  });

  test('env: plain values and Secret Manager references; secret volumes become file lines', () => {
    const t = translateKnative(
      yaml({
        container: [
          'env:',
          '  - name: MODE',
          '    value: a,b=c',
          '  - name: API_KEY',
          '    valueFrom:',
          '      secretKeyRef:',
          '        name: api-key',
          "        key: '3'",
          'volumeMounts:',
          '  - name: certs',
          '    mountPath: /etc/certs',
        ].join('\n'),
        spec: [
          'volumes:',
          '  - name: certs',
          '    secret:',
          '      secretName: tls',
          '      items:',
          '        - key: latest',
          '          path: tls.pem',
        ].join('\n'),
      }),
      's.yaml',
    );
    expect(t.errors).toEqual([]);
    expect(t.inputs.env_vars).toBe('MODE=a,b=c');
    expect(t.inputs.secrets).toBe('API_KEY=api-key:3\n/etc/certs/tls.pem=tls:latest');
  });

  test('probes keep their v2 shape; exec probes and readiness probes are refused at their lines', () => {
    const t = translateKnative(
      yaml({
        container: [
          'livenessProbe:',
          '  httpGet:',
          '    path: /live',
          '    port: 8080',
          'readinessProbe:',
          '  tcpSocket:',
          '    port: 8080',
          'startupProbe:',
          '  exec:',
          '    command: [true]',
        ].join('\n'),
      }),
      's.yaml',
    );
    expect(t.extras.container.livenessProbe).toEqual({ httpGet: { path: '/live', port: 8080 } });
    expect(t.errors).toEqual([
      expect.stringMatching(
        /^s\.yaml:14: `.*readinessProbe`: Cloud Run services take startup and liveness probes/,
      ),
      expect.stringMatching(/^s\.yaml:18: `.*startupProbe\.exec` is not a field of a Cloud Run probe/),
    ]);
  });

  test('keys with no translation are refused, each named at its line, all at once', () => {
    const t = translateKnative(
      yaml({
        service: 'run.googleapis.com/binary-authorization: default',
        template: 'run.googleapis.com/cloudsql-instances: p:r:db\nrun.googleapis.com/made-up: x',
        container: 'imagePullPolicy: Always',
      }),
      's.yaml',
    );
    expect(t.errors).toEqual([
      expect.stringMatching(
        /^s\.yaml:6: `run\.googleapis\.com\/binary-authorization` is a v2 Service field this action does not write/,
      ),
      expect.stringMatching(
        /^s\.yaml:11: `run\.googleapis\.com\/cloudsql-instances` is a v2 RevisionTemplate field/,
      ),
      expect.stringMatching(
        /^s\.yaml:12: `run\.googleapis\.com\/made-up` is not an annotation Cloud Run accepts/,
      ),
      expect.stringMatching(
        /^s\.yaml:16: `spec\.template\.spec\.containers\[0\]\.imagePullPolicy` is not a field/,
      ),
    ]);
  });

  test('annotations outside the reserved namespaces are kept as the v2 annotations', () => {
    const t = translateKnative(
      yaml({ service: 'example.com/owner: streams', template: 'example.com/build: "7"' }),
      's.yaml',
    );
    expect(t.errors).toEqual([]);
    expect(t.extras.serviceAnnotations).toEqual({ 'example.com/owner': 'streams' });
    expect(t.extras.templateAnnotations).toEqual({ 'example.com/build': '7' });
  });

  test('a second container, a second port and a wrong kind are refused', () => {
    const two = yaml({ container: 'ports:\n  - containerPort: 8080\n  - containerPort: 9090' }).replace(
      'kind: Service',
      'kind: Route',
    );
    const t = translateKnative(`${two}        - image: us-docker.pkg.dev/p/r/side:1\n`, 's.yaml');
    expect(t.errors).toEqual([
      expect.stringMatching(/^s\.yaml:2: `kind` must be `Service` \(a Cloud Run service.*\) or `Job`/),
      expect.stringMatching(/^s\.yaml:13: .*2 containers: sidecars are not translated yet/),
    ]);
    expect(t.kind).toBeUndefined();
  });

  test('YAML syntax errors name their line', () => {
    expect(translateKnative('a: 1\na: 2\n', 's.yaml').errors).toEqual(['s.yaml:2: Map keys must be unique']);
  });

  test('every annotation row cites a public source, names its levels and is the only row of its key', () => {
    for (const row of ANNOTATIONS) {
      expect(row.source).toMatch(/^cloud\.google\.com\//);
      expect(row.levels.length).toBeGreaterThan(0);
    }
    const keys = ANNOTATIONS.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

test('docs/knative.md names every annotation of the mapping table', () => {
  const doc = readFileSync(new URL('../../../docs/knative.md', import.meta.url), 'utf8');
  for (const row of ANNOTATIONS) expect(doc).toContain(row.key.replace(/^[^/]+\//, ''));
});
