// `npm run demo`: the built action, run the way a GitHub runner runs it (INPUT_* variables, an event
// file, GITHUB_OUTPUT, the OIDC variables), against the local Cloud Run, through six releases of the
// sample streaming app: a first deploy; a pull request preview (a candidate with no traffic behind its tag
// URL); the merge, walking 10 -> 50 -> 100 with checks and the stream-health panel; a release that turns
// bad mid-rollout and is rolled back; one whose streams start 3x slower than the stable revision's, which
// only the panel sees; and a crashing image that fails while traffic stays exactly as it was.
import { readFileSync } from 'node:fs';
import { describeTraffic } from '../src/core/traffic-format';
import { runClients, wifClient } from '../emulator/clients';
import { startEmulator, type EmulatorEndpoints } from '../emulator/emulator';
import { runAction, type ActionRun } from './local-runner';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
const say = (line = '') => process.stdout.write(`${line}\n`);

async function firstEvents(url: string, count: number): Promise<string> {
  const started = Date.now();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream' },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200 || !res.body) return `HTTP ${res.status}`;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const seen: string[] = [];
  let buffer = '';
  while (seen.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (data)
        seen.push(
          `#${/^id: ?(.*)$/m.exec(block)?.[1]} ${(JSON.parse(data) as { revision: string }).revision} @${Date.now() - started}ms`,
        );
    }
  }
  await reader.cancel();
  return seen.join(', ');
}

function show(title: string, run: ActionRun): void {
  say(`\n== ${title}: exit ${run.code}`);
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('::group::')) say(`  > ${decodeURIComponent(line.slice('::group::'.length))}`);
    else if (line.startsWith('::error::'))
      say(`  ERROR ${decodeURIComponent(line.slice('::error::'.length).replace(/%0A/g, '\n        '))}`);
    else if (line.startsWith('::warning')) say(`  WARNING ${line.replace(/^::warning[^:]*::/, '')}`);
    else if (/stream-health panel/i.test(line)) say(`    ${line.trim()}`);
  }
  for (const [k, v] of Object.entries(run.outputs)) {
    if (k !== 'smoke_result') say(`  output ${k} = ${v}`);
    else {
      const smoke = JSON.parse(v) as {
        verdict: string;
        checks: Array<{ name: string; ok: boolean }>;
        metrics: { firstEventMs?: number; events: number };
      };
      say(
        `  output smoke_result = ${smoke.verdict}: ${smoke.checks.map((c) => `${c.ok ? '' : '!'}${c.name}`).join(' ')}; first event ${Math.round(smoke.metrics.firstEventMs ?? 0)} ms, ${smoke.metrics.events} events`,
      );
    }
  }
}

async function liveTraffic(e: EmulatorEndpoints, name: string): Promise<string> {
  const { services, revisions } = runClients(e, wifClient(e));
  const [svc] = await services.getService({ name });
  await Promise.all([services.close(), revisions.close()]);
  return describeTraffic(
    (svc.trafficStatuses ?? []).map((t) => ({
      type:
        String(t.type).includes('LATEST') || !t.revision
          ? ('TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const)
          : ('TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const),
      revision: t.revision || undefined,
      percent: Number(t.percent ?? 0),
      tag: t.tag || undefined,
    })),
  );
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ startupDeadlineMs: 10_000 });
  const e = emulator.endpoints;
  const name = `projects/${e.project}/locations/us-central1/services/stream-api`;
  const inputs = (image: string, extra: Record<string, string> = {}) => ({
    project_id: e.project,
    region: 'us-central1',
    service: 'stream-api',
    image: `${IMAGE}:${image}`,
    workload_identity_provider: e.workloadIdentityProvider,
    service_account: e.serviceAccount,
    allow_unauthenticated: 'true',
    env_vars: 'TICK_MS=250',
    smoke_duration: '2s',
    step_wait: '2s',
    ...extra,
  });
  const push = { eventName: 'push', event: { ref: 'refs/heads/main' } };
  try {
    say(
      `Local Cloud Run at ${e.runApi.url}; the action runs from dist/main/index.js as on a GitHub runner (pull request #12).`,
    );
    const first = await runAction('main', inputs('v1'), e, { ...push, env: { GITHUB_RUN_ID: '101' } });
    show('Release 1 (push to main): first deploy of stream-app:v1', first);
    const preview = await runAction('main', inputs('v2'), e, { env: { GITHUB_RUN_ID: '102' } });
    show('Release 2 (pull request #12): stream-app:v2 as a preview with no traffic', preview);
    if (preview.code === 0) {
      say(`  SSE via service URL: ${await firstEvents(`${preview.outputs.url}/events`, 3)}`);
      say(`  SSE via tag URL:     ${await firstEvents(`${preview.outputs.tag_url}/events`, 3)}`);
    }
    // The migration job (a Cloud Run job of the same image, `mode: job`), written without running it: the
    // next release runs it with its candidate's image before any traffic moves (`before_rollout_job`).
    const migration = await runAction(
      'main',
      {
        project_id: e.project,
        region: 'us-central1',
        mode: 'job',
        job: 'migrate',
        image: `${IMAGE}:v2`,
        execute: 'never',
        max_retries: '0',
        workload_identity_provider: e.workloadIdentityProvider,
        service_account: e.serviceAccount,
      },
      e,
      { ...push, env: { GITHUB_RUN_ID: '107' } },
    );
    show('Job (push to main): the migration job `migrate`, written with stream-app:v2, not run', migration);
    // 5 s steps: the stream-health panel gets 15 stream-seconds per arm (3 streams each) to judge.
    const merged = await runAction(
      'main',
      inputs('v2', { step_wait: '5s', before_rollout_job: 'migrate' }),
      e,
      {
        ...push,
        env: { GITHUB_RUN_ID: '103' },
      },
    );
    show(
      'Release 3 (merge to main): stream-app:v2, the migration job first, then 10% -> 50% -> 100%',
      merged,
    );
    const bad = await runAction(
      'main',
      inputs('turns-bad', { env_vars: 'TICK_MS=250\nSTREAM_APP_BAD_AFTER_MS=12000', step_wait: '6s,12s,0s' }),
      e,
      { ...push, env: { GITHUB_RUN_ID: '104' } },
    );
    show('Release 4 (push to main): stream-app:turns-bad, which starts failing 12 s after it starts', bad);
    const slow = await runAction(
      'main',
      inputs('slow-first-event', { step_wait: '10s', smoke_duration: '5s' }),
      e,
      {
        ...push,
        env: { GITHUB_RUN_ID: '106' },
      },
    );
    show(
      'Release 5 (push to main): stream-app:slow-first-event, which passes the smoke test but sends its first event 3x later than the stable revision',
      slow,
    );
    const third = await runAction('main', inputs('crash'), e, { ...push, env: { GITHUB_RUN_ID: '105' } });
    show('Release 6 (push to main): stream-app:crash, which never starts', third);
    say(`\nTraffic now: ${await liveTraffic(e, name)}`);
    const prComment = emulator.github.comments(12).at(-1)?.body;
    const lastCommit = emulator.github
      .commitComments('0123456789abcdef0123456789abcdef01234567')
      .at(-1)?.body;
    say('\n== The sticky comment on pull request #12 (as GitHub would show its markdown) ==\n');
    say(prComment ?? '(none)');
    say('\n== The comment on the pushed commit, after release 6 ==\n');
    say(lastCommit ?? '(none)');
    const summary = readFileSync(merged.summaryFile, 'utf8');
    const panel = summary.slice(summary.indexOf('<details><summary>Stream-health panel'));
    say('\n== The stream-health panel of release 3, as its job summary and PR comment show it ==\n');
    say(panel.slice(0, panel.indexOf('</details>') + '</details>'.length));
    say('\n== Job summaries (markdown with Mermaid charts), one per release ==');
    for (const [i, r] of [first, preview, merged, bad, slow, third].entries())
      say(`  release ${i + 1}: ${r.summaryFile}`);
    if (
      first.code !== 0 ||
      preview.code !== 0 ||
      migration.outputs.verdict !== 'deployed' ||
      merged.outputs.verdict !== 'promoted' ||
      bad.outputs.verdict !== 'rolled_back' ||
      slow.outputs.verdict !== 'rolled_back' ||
      third.code !== 1
    ) {
      throw new Error('the demo did not go as expected (see above)');
    }
  } finally {
    await emulator.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exit(1);
});
