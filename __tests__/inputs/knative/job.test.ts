// A Cloud Run Job file through `metadata` (src/inputs/knative/job-spec.ts and the job levels of mapping.ts):
// each field to its input, each annotation a job does not take refused at its line.
import { readFileSync } from 'node:fs';
import { ANNOTATIONS } from '../../../src/inputs/knative/mapping';
import { translateKnative } from '../../../src/inputs/knative/translate';

const example = readFileSync(new URL('../../../examples/knative/job.yaml', import.meta.url), 'utf8');

/** A Job file with the given job and execution annotations, execution spec, task spec and container lines. */
function jobYaml(
  parts: { job?: string; execution?: string; spec?: string; task?: string; container?: string } = {},
): string {
  const indent = (text: string | undefined, pad: string) =>
    text ? text.split('\n').map((l) => `${pad}${l}`) : [];
  return [
    'apiVersion: run.googleapis.com/v1',
    'kind: Job',
    'metadata:',
    '  name: migrate',
    ...(parts.job ? ['  annotations:', ...indent(parts.job, '    ')] : []),
    'spec:',
    '  template:',
    ...(parts.execution
      ? ['    metadata:', '      annotations:', ...indent(parts.execution, '        ')]
      : []),
    '    spec:',
    ...indent(parts.spec, '      '),
    '      template:',
    '        spec:',
    ...indent(parts.task, '          '),
    '          containers:',
    '            - image: us-docker.pkg.dev/p/r/migrate:1',
    ...indent(parts.container, '              '),
    '',
  ].join('\n');
}

describe('translateKnative: the example Job file', () => {
  const t = translateKnative(example, 'job.yaml');

  test('is a job: `mode: job` and the job inputs, each with its line', () => {
    expect([t.kind, t.errors, t.warnings]).toEqual(['job', [], []]);
    expect(t.inputs).toEqual({
      mode: 'job',
      job: 'nightly-report',
      labels: 'team=streams',
      execution_environment: 'gen2',
      task_count: '3',
      parallelism: '2',
      max_retries: '1',
      task_timeout: '900s',
      image: 'us-docker.pkg.dev/demo-project/jobs/job-app:v1',
      args: 'job.mjs\n--report=nightly',
      env_vars: 'JOB_MESSAGE=nightly report',
      cpu: '1',
      memory: '512Mi',
    });
    expect(t.origins.mode).toBe('job.yaml:4 (`kind`)');
    expect(t.origins.task_timeout).toBe('job.yaml:20 (`spec.template.spec.template.spec.timeoutSeconds`)');
    expect(t.origins.parallelism).toMatch(/^job\.yaml:16 /);
  });

  test('the command, which no input covers, rides along for the planner', () => {
    expect(t.extras.container).toEqual({ command: ['node'] });
  });
});

describe('translateKnative: a Job file, every part', () => {
  test('secrets, volumes, the service account, VPC and own annotations at both levels', () => {
    const t = translateKnative(
      jobYaml({
        job: 'run.googleapis.com/launch-stage: GA\nexample.com/owner: data',
        execution: [
          'run.googleapis.com/client-name: gcloud',
          'run.googleapis.com/vpc-access-egress: all-traffic',
          'run.googleapis.com/network-interfaces: \'[{"network":"default","subnetwork":"jobs"}]\'',
          'example.com/build: "7"',
        ].join('\n'),
        task: [
          'serviceAccountName: runner@p.iam.gserviceaccount.com',
          'volumes:',
          '  - name: db',
          '    secret:',
          '      secretName: db-password',
          '      items:',
          "        - key: '2'",
          '          path: password',
        ].join('\n'),
        container: [
          'name: migrate',
          'workingDir: /app',
          'env:',
          '  - name: TOKEN',
          '    valueFrom:',
          '      secretKeyRef:',
          '        name: api-token',
          '        key: latest',
          'volumeMounts:',
          '  - name: db',
          '    mountPath: /secrets/db',
        ].join('\n'),
      }),
      'j.yaml',
    );
    expect(t.errors).toEqual([]);
    expect(t.warnings).toEqual([
      expect.stringMatching(/^j\.yaml:6: `run\.googleapis\.com\/launch-stage` is ignored/),
      expect.stringMatching(/^j\.yaml:12: `run\.googleapis\.com\/client-name` is ignored/),
    ]);
    expect(t.inputs).toMatchObject({
      runtime_service_account: 'runner@p.iam.gserviceaccount.com',
      secrets: 'TOKEN=api-token:latest\n/secrets/db/password=db-password:2',
      vpc_egress: 'all-traffic',
      vpc_network: 'default',
      vpc_subnet: 'jobs',
    });
    expect(t.extras).toMatchObject({
      container: { name: 'migrate', workingDir: '/app' },
      serviceAnnotations: { 'example.com/owner': 'data' },
      templateAnnotations: { 'example.com/build': '7' },
    });
  });

  test('annotations a job does not take are refused at their lines, all at once', () => {
    const t = translateKnative(
      jobYaml({
        job: [
          'run.googleapis.com/ingress: all',
          'run.googleapis.com/execution-environment: gen2',
          'run.googleapis.com/binary-authorization: default',
        ].join('\n'),
        execution: [
          'autoscaling.knative.dev/maxScale: "3"',
          'run.googleapis.com/cpu-throttling: "false"',
          'run.googleapis.com/sessionAffinity: "true"',
          'run.googleapis.com/startup-cpu-boost: "true"',
          'run.googleapis.com/launch-stage: BETA',
          'run.googleapis.com/cloudsql-instances: p:r:db',
          'run.googleapis.com/timeout: "600"',
        ].join('\n'),
      }),
      'j.yaml',
    );
    expect(t.errors).toEqual([
      expect.stringMatching(
        /^j\.yaml:6: `run\.googleapis\.com\/ingress` is not accepted on a Cloud Run job: Cloud Run takes it on a service only/,
      ),
      expect.stringMatching(
        /^j\.yaml:7: `run\.googleapis\.com\/execution-environment` belongs on the execution template \(`spec\.template\.metadata\.annotations`\)/,
      ),
      expect.stringMatching(
        /^j\.yaml:8: `run\.googleapis\.com\/binary-authorization` is a v2 Job field this action does not write from a file yet.*the update starts from the job as read/,
      ),
      expect.stringMatching(
        /^j\.yaml:13: `autoscaling\.knative\.dev\/maxScale` is not accepted on a Cloud Run job: .*revision template only/,
      ),
      expect.stringMatching(
        /^j\.yaml:14: `run\.googleapis\.com\/cpu-throttling` is not accepted on a Cloud Run job/,
      ),
      expect.stringMatching(
        /^j\.yaml:15: `run\.googleapis\.com\/sessionAffinity` is not accepted on a Cloud Run job/,
      ),
      expect.stringMatching(
        /^j\.yaml:16: `run\.googleapis\.com\/startup-cpu-boost` is not accepted on a Cloud Run job/,
      ),
      expect.stringMatching(
        /^j\.yaml:17: `run\.googleapis\.com\/launch-stage` belongs on the job \(`metadata\.annotations`\)/,
      ),
      expect.stringMatching(
        /^j\.yaml:18: `run\.googleapis\.com\/cloudsql-instances` is a v2 Job field this action does not write/,
      ),
      expect.stringMatching(
        /^j\.yaml:19: `run\.googleapis\.com\/timeout` is not a Cloud Run annotation; a task's timeout is `spec\.template\.spec\.template\.spec\.timeoutSeconds`/,
      ),
    ]);
  });

  test("ports and probes, which a job's container does not have, are refused at their lines", () => {
    const t = translateKnative(
      jobYaml({
        container: [
          'ports:',
          '  - containerPort: 8080',
          'startupProbe:',
          '  tcpSocket:',
          '    port: 8080',
          'livenessProbe:',
          '  httpGet:',
          '    path: /',
        ].join('\n'),
      }),
      'j.yaml',
    );
    expect(t.errors).toEqual([
      expect.stringMatching(
        /^j\.yaml:12: `spec\.template\.spec\.template\.spec\.containers\[0\]\.ports`: a Cloud Run job's container serves no requests/,
      ),
      expect.stringMatching(/^j\.yaml:14: `.*containers\[0\]\.startupProbe`: a Cloud Run job's container/),
      expect.stringMatching(/^j\.yaml:17: `.*containers\[0\]\.livenessProbe`: a Cloud Run job's container/),
    ]);
  });

  test("a service's fields in a job, a second container and an execution token are refused by path", () => {
    const t = translateKnative(
      `${jobYaml({ task: 'containerConcurrency: 5' }).replace('spec:\n  template:', 'spec:\n  startExecutionToken: go\n  template:')}            - image: us-docker.pkg.dev/p/r/side:1\n`,
      'j.yaml',
    );
    expect(t.errors).toEqual([
      expect.stringMatching(/^j\.yaml:6: `spec\.startExecutionToken` starts an execution.*`execute`/),
      expect.stringMatching(
        /^j\.yaml:11: `spec\.template\.spec\.template\.spec\.containerConcurrency` is not a field of a job's task spec/,
      ),
      expect.stringMatching(/^j\.yaml:14: .*2 containers: a Cloud Run job's task runs one container/),
    ]);
  });

  test('args one per line: an argument spanning lines is refused; an empty list clears them', () => {
    const multi = translateKnative(jobYaml({ container: 'args: ["a", "b\\nc"]' }), 'j.yaml');
    expect(multi.errors).toEqual([expect.stringMatching(/^j\.yaml:\d+: `.*args\[1\]` spans lines/)]);
    const empty = translateKnative(jobYaml({ container: 'args: []' }), 'j.yaml');
    expect([empty.errors, empty.inputs.args, empty.extras.container.args]).toEqual([[], undefined, []]);
  });

  test('a Job needs its own apiVersion; a Service file never sets `mode`', () => {
    const wrong = translateKnative(
      jobYaml().replace('run.googleapis.com/v1', 'serving.knative.dev/v1'),
      'j.yaml',
    );
    expect(wrong.errors).toEqual([
      '`apiVersion` must be `run.googleapis.com/v1` (a Cloud Run job)'.replace(/^/, 'j.yaml:1: '),
    ]);
    const service = translateKnative(
      readFileSync(new URL('../../../examples/knative/service.yaml', import.meta.url), 'utf8'),
      's.yaml',
    );
    expect([service.kind, service.inputs.mode]).toEqual(['service', undefined]);
  });
});

test('the mapping table says, for each annotation, where a job takes it', () => {
  const levels = (key: string) => ANNOTATIONS.find((r) => r.key === key)?.levels;
  expect(levels('run.googleapis.com/launch-stage')).toEqual(['service', 'job']);
  expect(levels('run.googleapis.com/vpc-access-connector')).toEqual(['template', 'execution']);
  expect(levels('run.googleapis.com/cpu-throttling')).toEqual(['template']);
  expect(levels('run.googleapis.com/client-name')).toEqual(['service', 'template', 'job', 'execution']);
});
