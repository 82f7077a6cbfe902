// The inconvenient parts of serving on Cloud Run that the emulator reproduces (emulator/README.md, "Platform
// behaviours"): reserved paths, Domain Restricted Sharing, min instances and tags, disabled APIs, two service
// URLs and unknown locations. Driven over raw REST JSON and through the real @google-cloud/run client.
import { idToken, wifClient } from '../../../emulator/clients';
import {
  emulator,
  parent,
  raw,
  rawCreate,
  rawPatch,
  services,
  settle,
  short,
  template,
  usePlatformEmulator,
  type Json,
} from './harness';

usePlatformEmulator();

describe('reserved paths (docs/platform.md "Reserved URL paths")', () => {
  test('/healthz, /eventlog and /_ah/* get Google\u2019s own 404 on service and tag URLs, before IAM and without reaching the app; /healthz/ and /readyz reach it', async () => {
    const svc = await rawCreate('reserved-api', {
      template: template('v1', { revision: 'reserved-api-a' }),
      traffic: [
        {
          type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
          revision: 'reserved-api-a',
          percent: 100,
          tag: 'blue',
        },
      ],
    });
    const tagUri = svc.trafficStatuses.find((t: Json) => t.tag === 'blue').uri as string;
    for (const base of [svc.uri as string, tagUri]) {
      for (const path of ['/healthz', '/healthz?probe=1', '/eventlog', '/_ah/warmup', '/_ah/health']) {
        // Private service, no token: the front end answers before the invoker check.
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
        expect(res.headers.get('x-revision')).toBeNull();
        const body = await res.text();
        expect(body).toContain('<b>404.</b> <ins>That\u2019s an error.</ins>');
        expect(body).toContain(
          `The requested URL <code>${path.split('?')[0]}</code> was not found on this server.`,
        );
        expect(body).toContain('That\u2019s all we know.');
      }
    }
    await raw('PATCH', svc.name, { invokerIamDisabled: true }, { updateMask: 'invokerIamDisabled' }).then(
      (r) => settle(r.json),
    );
    for (const path of ['/healthz/', '/readyz', '/health']) {
      const res = await fetch(`${svc.uri}${path}`);
      expect(res.headers.get('x-revision')).toBe('reserved-api-a');
    }
    expect((await fetch(`${svc.uri}/healthz`)).status).toBe(404);
    // A WebSocket upgrade to a reserved path is answered the same way.
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${String(svc.uri).replace('http', 'ws')}/_ah/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe('public access (docs/platform.md "Public access and IAM")', () => {
  test('under Domain Restricted Sharing, allUsers / allAuthenticatedUsers are 400 FAILED_PRECONDITION; invokerIamDisabled still opens the service', async () => {
    const created = await rawCreate('drs-api', { template: template('v1') });
    emulator.faults.update({ domainRestrictedSharing: true });
    for (const member of ['allUsers', 'allAuthenticatedUsers']) {
      const res = await raw('POST', `${created.name}:setIamPolicy`, {
        policy: { bindings: [{ role: 'roles/run.invoker', members: [member] }] },
      });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 400,
        status: 'FAILED_PRECONDITION',
        message:
          'One or more users named in the policy do not belong to a permitted customer, perhaps due to an organization policy.',
      });
    }
    await expect(
      services.setIamPolicy({
        resource: created.name,
        policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] },
      }),
    ).rejects.toMatchObject({ code: 9 });
    expect((await fetch(`${created.uri}/`)).status).toBe(403);
    const op = await rawPatch(created.name, { invokerIamDisabled: true }, 'invokerIamDisabled');
    expect(op.error).toBeUndefined();
    expect((await fetch(`${created.uri}/`)).status).toBe(200);
  });
});

describe('min instances and tags (docs/platform.md "Min instances and tags")', () => {
  const warmOf = (revision: string) => emulator.processes().find((p) => p.revision === revision);

  test('revision-level min holds while the revision is in the split or tagged; without either its warm instances stop; service-level min counts only revisions with a percent', async () => {
    const min1 = (tag: string, revision: string) =>
      template(tag, { revision, scaling: { minInstanceCount: 1, maxInstanceCount: 5 } });
    const created = await rawCreate('warm-api', { template: min1('v1', 'warm-api-a') });
    expect(warmOf('warm-api-a')).toMatchObject({ running: 1, warm: 1, reason: 'revision-min+split' });

    // Candidate at 0 % with a tag.
    let op = await rawPatch(
      created.name,
      {
        template: min1('v2', 'warm-api-b'),
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-a', percent: 100 },
          {
            type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
            revision: 'warm-api-b',
            percent: 0,
            tag: 'cand',
          },
        ],
      },
      'template,traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-b')).toMatchObject({ warm: 1, reason: 'revision-min+tag' });

    // Promoted; the old one keeps only a tag: still warm, because of the tag.
    op = await rawPatch(
      created.name,
      {
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-b', percent: 100 },
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-a', percent: 0, tag: 'old' },
        ],
      },
      'traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-a')).toMatchObject({ running: 1, warm: 1, reason: 'revision-min+tag' });
    expect(warmOf('warm-api-b')).toMatchObject({ warm: 1, reason: 'revision-min+split' });

    // Tag removed: no split, no tag, no warm instances.
    op = await rawPatch(
      created.name,
      {
        traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-b', percent: 100 }],
      },
      'traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-a')).toMatchObject({ running: 0, warm: 0, reason: null });

    // Service-level min 3 over a 50/50 split of min-0 revisions: 2 each (rounded up); a tag-only revision
    // gets none from it.
    op = await rawPatch(
      created.name,
      {
        template: template('v3', { revision: 'warm-api-c' }),
        scaling: { minInstanceCount: 3 },
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-b', percent: 50 },
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'warm-api-c', percent: 50 },
        ],
      },
      'template,scaling,traffic',
    );
    expect(op.error).toBeUndefined();
    expect(warmOf('warm-api-c')).toMatchObject({ running: 2, warm: 2, reason: 'service-min' });
    expect(warmOf('warm-api-b')).toMatchObject({ running: 2, warm: 2, reason: 'service-min' });

    const http = (await (await fetch(`${emulator.endpoints.control}/processes`)).json()) as {
      pids: number[];
      revisions: Array<Json>;
    };
    expect(http.revisions.find((r) => r.revision === 'warm-api-c')).toMatchObject({ warm: 2 });
    expect(http.pids.length).toBeGreaterThanOrEqual(4);
    await raw('DELETE', created.name).then((r) => settle(r.json));
  });
});

describe('disabled APIs (docs/platform.md "Disabled API")', () => {
  test('Cloud Run Admin API disabled: 403 SERVICE_DISABLED with ErrorInfo and Help', async () => {
    emulator.faults.update({ disabledApis: ['run.googleapis.com'] });
    const res = await raw('GET', `${parent}/services`);
    expect(res.status).toBe(403);
    const url =
      'https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=123456789012';
    expect(res.json.error).toMatchObject({
      code: 403,
      status: 'PERMISSION_DENIED',
      message: expect.stringMatching(
        /^Cloud Run Admin API has not been used in project 123456789012 before or it is disabled\. Enable it by visiting https:\/\/console\.developers\.google\.com\/apis\/api\/run\.googleapis\.com\/overview\?project=123456789012 then retry\./,
      ),
    });
    expect(res.json.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: expect.objectContaining({
            service: 'run.googleapis.com',
            consumer: 'projects/123456789012',
            activationUrl: url,
          }),
        }),
        expect.objectContaining({
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [expect.objectContaining({ url })],
        }),
      ]),
    );
    await expect(services.listServices({ parent })).rejects.toMatchObject({ code: 7 });
  });

  test('IAM Credentials API disabled: impersonation answers the same for iamcredentials.googleapis.com', async () => {
    emulator.faults.update({ disabledApis: ['iamcredentials.googleapis.com'] });
    const fresh = wifClient(emulator.endpoints);
    await expect(fresh.getAccessToken()).rejects.toThrow(
      /IAM Service Account Credentials API has not been used in project 123456789012/,
    );
  });
});

describe('service URLs (docs/platform.md "Service URLs")', () => {
  test('two URLs, the deterministic one first and as uri; both route, and both are accepted as the ID token audience', async () => {
    const created = await rawCreate('urls-api', { template: template('v1') });
    expect(created.urls).toHaveLength(2);
    expect(created.urls[0]).toBe(created.uri);
    expect(created.urls[1]).not.toBe(created.uri);
    for (const [audience, target] of [
      [created.urls[1], created.urls[0]],
      [created.urls[0], created.urls[1]],
    ]) {
      const token = await idToken(emulator.endpoints, audience);
      const res = await fetch(`${target}/`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-revision')).toBe(short(created.latestReadyRevision));
    }
  });
});

describe('unknown location (docs/platform.md "Wrong or unsupported region"; the action tells a wrong region by listing)', () => {
  test('list in an unknown region is 404, in a served one 200', async () => {
    const bad = await raw('GET', `projects/${emulator.endpoints.project}/locations/us-nowhere1/services`);
    expect(bad.status).toBe(404);
    expect(bad.json.error.status).toBe('NOT_FOUND');
    const missing = await raw(
      'GET',
      `projects/${emulator.endpoints.project}/locations/us-nowhere1/services/x`,
    );
    expect(missing.status).toBe(404);
    const good = await raw('GET', `${parent}/services`);
    expect(good.status).toBe(200);
  });
});
