// Where people look, through the built action against the emulator's GitHub REST fake: one sticky PR
// comment edited as the release moves, the job summary, the deployment and the commit status. A release
// whose token lacks the permissions is a fault case: __tests__/faults/github.test.ts ("read-only token").
import { runAction, startAction } from '../../scripts/local-runner';
import { environmentName, statusContext } from '../../src/core/github-names';
import { IMAGE, targetInputs, useActionWorld, waitForOutput } from '../support/action-world';

const w = useActionWorld();

const inputs = (service: string, image: string, extra: Record<string, string> = {}) => ({
  ...targetInputs(w.emulator, service),
  image: `${IMAGE}:${image}`,
  allow_unauthenticated: 'true',
  env_vars: 'TICK_MS=100',
  smoke_duration: '1s',
  smoke_max_gap: '1s',
  step_wait: '0s',
  ...extra,
});

test('one sticky PR comment per service and region, edited through a release; summary with a chart; deployment and commit status', async () => {
  const first = await runAction('main', inputs('report-api', 'v1'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8001' },
  });
  expect(first.code).toBe(0);
  const afterFirst = w.emulator.github
    .comments(12)
    .filter((c) => c.body.includes('<!-- stream-deploy:report'));
  expect(afterFirst).toHaveLength(1);
  const preview = await runAction('main', inputs('report-api', 'v2'), w.emulator.endpoints, {
    env: { GITHUB_RUN_ID: '8002' },
  });
  expect(preview.code).toBe(0);
  const comments = w.emulator.github.comments(12).filter((c) => c.body.includes('<!-- stream-deploy:report'));
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
  const edits = w.emulator.github.requests.filter(
    (r) => r.method === 'PATCH' && r.path.includes('/issues/comments/'),
  );
  expect(edits.length).toBeGreaterThanOrEqual(3);
  const deployments = w.emulator.github.deployments();
  expect(deployments.length).toBeGreaterThanOrEqual(1);
  const latest = deployments.find((d) =>
    d.statuses.some((s) => s.environment_url === preview.outputs.tag_url),
  );
  expect(latest?.statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['in_progress', 'success']));
  const statuses = w.emulator.github.commitStatuses('0123456789abcdef0123456789abcdef01234567');
  expect(
    statuses.some(
      (s) =>
        s.context === statusContext(w.emulator.endpoints.project, 'report-api', 'us-central1') &&
        s.state === 'success',
    ),
  ).toBe(true);
});

test('on push no commit comment unless comment_on_commit (it needs contents: write); a rolled-back release says so, with the reason', async () => {
  const baseline = await runAction('main', inputs('report-bad-api', 'v1'), w.emulator.endpoints, {
    eventName: 'push',
    event: { ref: 'refs/heads/main' },
    env: { GITHUB_RUN_ID: '8101', GITHUB_SHA: 'aaaaaaa111111111111111111111111111111111' },
  });
  expect(baseline.code).toBe(0);
  // Off by default: the summary, the deployment and the commit status carry the report.
  expect(w.emulator.github.commitComments('aaaaaaa111111111111111111111111111111111')).toEqual([]);
  expect(w.emulator.github.commitStatuses('aaaaaaa111111111111111111111111111111111')).toContainEqual(
    expect.objectContaining({
      context: statusContext(w.emulator.endpoints.project, 'report-bad-api', 'us-central1'),
      state: 'success',
    }),
  );
  expect(baseline.summary).toContain('report-bad-api');
  // The candidate turns bad once the first step's bake has begun.
  const main = startAction(
    'main',
    inputs('report-bad-api', 'v2', { step_wait: '30s,0s,0s', comment_on_commit: 'true' }),
    w.emulator.endpoints,
    {
      eventName: 'push',
      event: { ref: 'refs/heads/main' },
      env: { GITHUB_RUN_ID: '8102', GITHUB_SHA: 'bbbbbbb222222222222222222222222222222222' },
    },
  );
  await waitForOutput(main, 'Check step 1');
  w.emulator.faults.turnBad(`${IMAGE}:v2`);
  const run = await main.done;
  expect(run.outputs.verdict).toBe('rolled_back');
  // Asked for, on push the report goes to the commit.
  const comments = w.emulator.github.commitComments('bbbbbbb222222222222222222222222222222222');
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toContain('Rolled back');
  expect(comments[0].body).toContain('failed its checks');
});

test('on a pull request the deployment and the commit status go to its head commit, not the merge commit; a three-step rollout costs at most 12 GitHub calls', async () => {
  const head = 'cafe0000cafe0000cafe0000cafe0000cafe0000';
  const merge = 'abad1dea0000000000000000000000000000beef';
  w.emulator.github.registerPullRequest(31, head);
  const options = (run: string) => ({
    event: { pull_request: { number: 31, head: { sha: head } } },
    env: { GITHUB_RUN_ID: run, GITHUB_SHA: merge },
  });
  const first = await runAction(
    'main',
    inputs('report-head-api', 'v1', { rollout: 'progressive', step_wait: '0s' }),
    w.emulator.endpoints,
    options('8301'),
  );
  expect(first.code).toBe(0);
  const before = w.emulator.github.requests.length;
  const run = await runAction(
    'main',
    inputs('report-head-api', 'v2', { rollout: 'progressive', traffic_steps: '10,50,100', step_wait: '0s' }),
    w.emulator.endpoints,
    options('8302'),
  );
  expect(run.outputs.verdict).toBe('promoted');
  const calls = w.emulator.github.requests.slice(before);
  expect(calls.length).toBeLessThanOrEqual(12);
  expect(w.emulator.github.pullRequestStatuses(31)).toContainEqual(
    expect.objectContaining({
      context: statusContext(w.emulator.endpoints.project, 'report-head-api', 'us-central1'),
      state: 'success',
    }),
  );
  expect(w.emulator.github.commitStatuses(merge)).toEqual([]);
  const deployments = w.emulator.github
    .deployments()
    .filter(
      (d) =>
        d.environment ===
        environmentName(w.emulator.endpoints.project, 'report-head-api', 'us-central1', false),
    );
  expect(deployments.map((d) => d.sha)).toEqual([head, head]);
  expect(deployments[1].payload).toEqual({
    stream_deploy: {
      project: w.emulator.endpoints.project,
      service: 'report-head-api',
      region: 'us-central1',
      tag: expect.any(String),
      pull_request: 31,
      // The run that created it, so its post step finds it (docs/platform.md "List deployments by environment").
      run_id: '8302',
      run_attempt: '1',
    },
  });
  // The second run edited the first run's comment: one comment on the pull request.
  expect(
    w.emulator.github.comments(31).filter((c) => c.body.includes('<!-- stream-deploy:report')),
  ).toHaveLength(1);
});
