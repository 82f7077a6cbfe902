// Where people look, through the built action against the emulator's GitHub REST fake: one sticky PR
// comment edited as the release moves, the job summary, the deployment and the commit status; and a
// release that goes on when the token lacks the permissions.
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { conflicts } from '../support/fault-suite';
import { runAction } from '../../scripts/local-runner';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
let emulator: Emulator;

const inputs = (service: string, image: string, extra: Record<string, string> = {}) => ({
  project_id: emulator.endpoints.project,
  region: 'us-central1',
  service,
  image: `${IMAGE}:${image}`,
  workload_identity_provider: emulator.endpoints.workloadIdentityProvider,
  service_account: emulator.endpoints.serviceAccount,
  allow_unauthenticated: 'true',
  env_vars: 'TICK_MS=100',
  smoke_duration: '1s',
  smoke_max_gap: '1s',
  step_wait: '0s',
  ...extra,
});

beforeAll(async () => {
  emulator = await startEmulator({ startupDeadlineMs: 4000 });
});

afterAll(async () => {
  // No release met the 409 of a strict template comparison (docs/platform.md "Revisions and failures").
  expect(conflicts(emulator)).toEqual([]);
  await emulator?.stop();
});

test('one sticky PR comment per service and region, edited through a release; summary with a chart; deployment and commit status', async () => {
  const first = await runAction('main', inputs('report-api', 'v1'), emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8001' },
  });
  expect(first.code).toBe(0);
  const afterFirst = emulator.github.comments(12).filter((c) => c.body.includes('<!-- stream-deploy:report'));
  expect(afterFirst).toHaveLength(1);
  const preview = await runAction('main', inputs('report-api', 'v2'), emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8002' },
  });
  expect(preview.code).toBe(0);
  const comments = emulator.github.comments(12).filter((c) => c.body.includes('<!-- stream-deploy:report'));
  expect(comments).toHaveLength(1);
  expect(comments[0].id).toBe(afterFirst[0].id);
  const body = comments[0].body;
  expect(body).toContain('Candidate ready');
  expect(body).toContain(preview.outputs.tag_url);
  expect(body).toContain(preview.outputs.revision);
  expect(body).toContain('not-buffered');
  expect(body).not.toMatch(/ya29\.|eyJ[A-Za-z0-9_-]{10,}\./);
  expect(preview.summary).toContain('```mermaid');
  // The comment was edited at each phase of the release, not re-created.
  const edits = emulator.github.requests.filter(
    (r) => r.method === 'PATCH' && r.path.includes('/issues/comments/'),
  );
  expect(edits.length).toBeGreaterThanOrEqual(3);
  const deployments = emulator.github.deployments();
  expect(deployments.length).toBeGreaterThanOrEqual(1);
  const latest = deployments.find((d) =>
    d.statuses.some((s) => s.environment_url === preview.outputs.tag_url),
  );
  expect(latest?.statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['in_progress', 'success']));
  const statuses = emulator.github.commitStatuses('0123456789abcdef0123456789abcdef01234567');
  expect(
    statuses.some((s) => s.context === 'stream-deploy/report-api (us-central1)' && s.state === 'success'),
  ).toBe(true);
});

test('a progressive release that is rolled back says so in the comment, with the reason', async () => {
  await runAction('main', inputs('report-bad-api', 'v1'), emulator.endpoints, {
    eventName: 'push',
    event: { ref: 'refs/heads/main' },
    env: { GITHUB_RUN_ID: '8101', GITHUB_SHA: 'aaaaaaa111111111111111111111111111111111' },
  });
  const run = await runAction(
    'main',
    inputs('report-bad-api', 'turns-bad', {
      env_vars: 'TICK_MS=100\nSTREAM_APP_BAD_AFTER_MS=8000',
      step_wait: '10s,10s,0s',
    }),
    emulator.endpoints,
    {
      eventName: 'push',
      event: { ref: 'refs/heads/main' },
      env: { GITHUB_RUN_ID: '8102', GITHUB_SHA: 'bbbbbbb222222222222222222222222222222222' },
    },
  );
  expect(run.outputs.verdict).toBe('rolled_back');
  // On push the report goes to the commit.
  const comments = emulator.github.commitComments('bbbbbbb222222222222222222222222222222222');
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toContain('Rolled back');
  expect(comments[0].body).toContain('failed its checks');
});

test('without pull-requests, deployments and statuses permissions the release goes on and the log warns', async () => {
  emulator.github.setPermissions({ contents: 'read' });
  try {
    const run = await runAction('main', inputs('report-noperm-api', 'v1'), emulator.endpoints, {
      env: { GITHUB_RUN_ID: '8201' },
    });
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('promoted');
    const warnings = run.annotations.filter((a) => a.startsWith('::warning'));
    expect(warnings.some((w) => w.includes('PR comment') && w.includes('permissions'))).toBe(true);
    // Each channel warns once, not at every phase.
    expect(warnings.filter((w) => w.includes('PR comment'))).toHaveLength(1);
  } finally {
    emulator.github.setPermissions({
      issues: 'write',
      pull_requests: 'write',
      deployments: 'write',
      statuses: 'write',
      contents: 'write',
    });
  }
});
