// A release from a Knative service.yaml (`metadata`) through the built action against the local Cloud Run:
// the file's settings deployed as a new revision with no traffic, smoke-tested, promoted in steps; and the
// seed document's mistakes refused at their lines before any API call.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../scripts/local-runner';
import {
  IMAGE,
  QUICK_STEPS,
  seedReleased,
  serviceName,
  targetInputs,
  trafficOf,
  useActionWorld,
} from '../support/action-world';

const w = useActionWorld();
const workspace = mkdtempSync(join(tmpdir(), 'knative-'));
const example = (name: string) =>
  readFileSync(new URL(`../../examples/knative/${name}`, import.meta.url), 'utf8');

/** The file's own inputs: the target and auth only; service, image and every setting come from the file. */
const inputs = (service: string) => {
  const { service: _named, ...target } = targetInputs(w.emulator, service);
  return {
    ...target,
    metadata: 'service.yaml',
    allow_unauthenticated: 'true',
    ...QUICK_STEPS,
  };
};

const apiCalls = () => Object.values(w.emulator.api.wire.calls).reduce((a, b) => a + (b ?? 0), 0);

test('a release from service.yaml deploys what the file says, smoke-tests it and promotes it in steps', async () => {
  await seedReleased(w.emulator, 'yaml-api');
  writeFileSync(
    join(workspace, 'service.yaml'),
    example('service.yaml')
      .replace('name: stream-api', 'name: yaml-api')
      .replace(/image: .*/, `image: ${IMAGE}:v2`),
  );
  const run = await runAction('main', inputs('yaml-api'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8101', GITHUB_WORKSPACE: workspace },
  });
  expect([run.code, run.annotations]).toEqual([0, []]);
  const traffic = await trafficOf(w, 'yaml-api');
  expect(traffic).toEqual([
    expect.objectContaining({ percent: 100, revision: expect.stringMatching(/^yaml-api-/) }),
  ]);
  const [svc] = await w.services.getService({ name: serviceName(w.emulator, 'yaml-api') });
  const [container] = svc.template!.containers!;
  expect(svc.description).toBe('Server-Sent Events API');
  expect(svc.template).toMatchObject({
    timeout: { seconds: '3600' },
    maxInstanceRequestConcurrency: 250,
    scaling: { maxInstanceCount: 20 },
    executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
  });
  expect(container).toMatchObject({
    image: `${IMAGE}:v2`,
    env: expect.arrayContaining([expect.objectContaining({ name: 'TICK_MS', value: '100' })]),
    resources: { limits: { cpu: '1', memory: '512Mi' }, cpuIdle: false, startupCpuBoost: true },
    startupProbe: expect.objectContaining({ periodSeconds: 1, failureThreshold: 30 }),
  });
  expect(run.stdout).toMatch(/yaml-api/);
});

test("the seed document's mistakes are refused at their lines, all at once, before any API call", async () => {
  await seedReleased(w.emulator, 'yaml-seed');
  const before = await trafficOf(w, 'yaml-seed');
  writeFileSync(
    join(workspace, 'service.yaml'),
    example('seed-mistakes.yaml').replace('name: stream-api', 'name: yaml-seed'),
  );
  const calls = apiCalls();
  const run = await runAction('main', inputs('yaml-seed'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8102', GITHUB_WORKSPACE: workspace },
  });
  expect(run.code).toBe(1);
  const error = run.annotations.find((a) => a.startsWith('::error'))!;
  for (const line of [7, 8, 14, 23]) expect(error).toContain(`service.yaml:${line}: `);
  expect(run.annotations.filter((a) => a.startsWith('::warning')).join('\n')).toMatch(
    /service\.yaml:29: `spec\.traffic` is ignored/,
  );
  expect(apiCalls()).toBe(calls);
  expect(await trafficOf(w, 'yaml-seed')).toEqual(before);
});
