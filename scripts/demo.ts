// `npm run demo`: starts the local Cloud Run, signs in the way a GitHub Actions job does (Workload
// Identity Federation through the emulator's OIDC, STS and IAM Credentials fakes), deploys the sample
// streaming app with the real @google-cloud/run client, deploys a second revision as a tagged candidate
// at 0 % traffic, and streams from both URLs. The action's own release pipeline grows into this later.
import { IdentityPoolClient } from 'google-auth-library';
import { ServicesClient } from '@google-cloud/run';
import { startEmulator } from '../emulator/emulator';

const IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app';
// gax reads LRO polling from the call's options; the default has no total deadline (FACTS.md).
const LRO = {
  longrunning: {
    initialRetryDelayMillis: 100,
    retryDelayMultiplier: 1.5,
    maxRetryDelayMillis: 1000,
    initialRpcTimeoutMillis: 10_000,
    rpcTimeoutMultiplier: 1,
    maxRpcTimeoutMillis: 10_000,
    totalTimeoutMillis: 60_000,
  },
};

async function firstEvents(
  url: string,
  count: number,
): Promise<Array<{ id?: string; revision: string; ms: number }>> {
  const started = Date.now();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream' },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200 || !res.body) throw new Error(`GET ${url} answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const out: Array<{ id?: string; revision: string; ms: number }> = [];
  let buffer = '';
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const id = /^id: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (data)
        out.push({
          id,
          revision: (JSON.parse(data) as { revision: string }).revision,
          ms: Date.now() - started,
        });
    }
  }
  await reader.cancel();
  return out;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ startupDeadlineMs: 20_000 });
  const e = emulator.endpoints;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    say(`Local Cloud Run API at ${e.runApi.url} (project ${e.project})`);
    const authClient = new IdentityPoolClient({
      type: 'external_account',
      audience: e.providerAudience,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: e.sts,
      credential_source: {
        url: `${e.githubOidc.requestUrl}&audience=${encodeURIComponent(`https://iam.googleapis.com/${e.workloadIdentityProvider}`)}`,
        headers: { Authorization: `Bearer ${e.githubOidc.requestToken}` },
        format: { type: 'json', subject_token_field_name: 'value' },
      },
      service_account_impersonation_url: `${e.iamCredentials}/projects/-/serviceAccounts/${e.serviceAccount}:generateAccessToken`,
    });
    say(`Signed in through Workload Identity Federation as ${e.serviceAccount}`);
    const services = new ServicesClient({
      apiEndpoint: e.runApi.apiEndpoint,
      port: e.runApi.port,
      fallback: true,
      protocol: 'http',
      authClient,
    });
    const parent = `projects/${e.project}/locations/us-central1`;
    const template = (tag: string, revision: string) => ({
      revision,
      timeout: { seconds: 3600 },
      sessionAffinity: true,
      scaling: { minInstanceCount: 1 },
      containers: [
        { image: `${IMAGE}:${tag}`, env: [{ name: 'TICK_MS', value: '250' }], resources: { cpuIdle: false } },
      ],
    });

    const [createOp] = await services.createService(
      { parent, serviceId: 'stream-api', service: { template: template('v1', 'stream-api-00001-v1') } },
      LRO,
    );
    const [created] = await createOp.promise();
    await services.setIamPolicy({
      resource: created.name as string,
      policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
    });
    say(
      `Deployed ${IMAGE}:v1 as ${String(created.latestReadyRevision).split('/').pop()}; service URL ${created.uri}`,
    );

    const [current] = await services.getService({ name: created.name as string });
    const [updateOp] = await services.updateService(
      {
        service: {
          name: current.name,
          etag: current.etag,
          template: template('v2', 'stream-api-00002-v2'),
          traffic: [
            {
              type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
              revision: 'stream-api-00001-v1',
              percent: 100,
            },
            {
              type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
              revision: 'stream-api-00002-v2',
              percent: 0,
              tag: 'pr-12',
            },
          ],
        },
      },
      LRO,
    );
    const [candidate] = await updateOp.promise();
    const tagUrl = candidate.trafficStatuses?.find((t) => t.tag === 'pr-12')?.uri as string;
    say(`Deployed ${IMAGE}:v2 as stream-api-00002-v2 with no traffic; tag URL ${tagUrl}`);

    for (const [label, url] of [
      ['service URL', candidate.uri as string],
      ['tag URL    ', tagUrl],
    ]) {
      const events = await firstEvents(`${url}/events`, 3);
      say(
        `SSE via ${label}: ${events.map((ev) => `#${ev.id} from ${ev.revision} at ${ev.ms} ms`).join(', ')}`,
      );
    }
    say('\nTraffic now:');
    for (const t of candidate.trafficStatuses ?? [])
      say(`  ${String(t.percent).padStart(3)}%  ${t.revision}${t.tag ? `  tag ${t.tag} -> ${t.uri}` : ''}`);
    await services.close();
  } finally {
    await emulator.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exit(1);
});
