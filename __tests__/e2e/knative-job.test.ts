// A Cloud Run Job file (`metadata`, `kind: Job`) through the built action against the local Cloud Run: with
// `mode` left out it is `mode: job`, and examples/knative/job.yaml is written as a v2 Job (the file's
// command included) and executed; its tasks, real processes, all succeed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../scripts/local-runner';
import { jobClients, wifClient } from '../../emulator/clients';
import { targetInputs, useActionWorld } from '../support/action-world';

const w = useActionWorld();
const workspace = mkdtempSync(join(tmpdir(), 'knative-job-'));

test('examples/knative/job.yaml is deployed as a job and executed: every task succeeds', async () => {
  writeFileSync(
    join(workspace, 'job.yaml'),
    readFileSync(new URL('../../examples/knative/job.yaml', import.meta.url), 'utf8')
      .replace(/image: .*/, 'image: us-docker.pkg.dev/demo/jobs/job-app:v1')
      .replace('args: [job.mjs,', 'args: [examples/job-app/job.mjs,'),
  );
  // No `mode`: the file's `kind: Job` says it. (The local runner's preview default is a release-only input.)
  const { service: _s, ...target } = targetInputs(w.emulator, '');
  const inputs = { ...target, metadata: 'job.yaml', candidate_creates_service: '' };
  const run = await runAction('main', inputs, w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8401', GITHUB_WORKSPACE: workspace },
  });
  expect([run.code, run.annotations]).toEqual([0, []]);
  expect(run.outputs.verdict).toBe('succeeded');
  expect(JSON.parse(run.outputs.tasks)).toMatchObject({ tasks: 3, succeeded: 3, failed: 0 });

  const { jobs } = jobClients(w.emulator.endpoints, wifClient(w.emulator.endpoints));
  const [job] = await jobs.getJob({
    name: `projects/${w.emulator.endpoints.project}/locations/us-central1/jobs/nightly-report`,
  });
  await jobs.close();
  expect(job.labels).toMatchObject({ team: 'streams' });
  expect(job.template).toMatchObject({ taskCount: 3, parallelism: 2 });
  expect(job.template!.template).toMatchObject({
    maxRetries: 1,
    timeout: { seconds: '900' },
    executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
  });
  expect(job.template!.template!.containers![0]).toMatchObject({
    command: ['node'],
    args: ['examples/job-app/job.mjs', '--report=nightly'],
    env: [expect.objectContaining({ name: 'JOB_MESSAGE', value: 'nightly report' })],
    resources: { limits: { cpu: '1', memory: '512Mi' } },
  });
});
