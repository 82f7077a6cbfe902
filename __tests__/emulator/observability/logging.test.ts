// The Cloud Logging fake (emulator/README.md "Monitoring and Logging fakes"): entries.list over request
// logs written when requests end, the app's stdout/stderr and varlog/system, with real access tokens.
import { IMAGE, emulator, entries, useObservabilityEmulator, type Json } from './harness';

useObservabilityEmulator();

// An app that logs one structured line on stdout and one plain line on stderr per request, and exits 1 on /crash.
const APP = `
const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/crash') process.exit(1);
  console.log(JSON.stringify({ severity: 'WARNING', message: 'slow upstream', path: req.url }));
  console.error('plain line on stderr');
  res.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const project = (): string => emulator.endpoints.project;
const base = (service: string, extra = ''): string =>
  `resource.type = "cloud_run_revision" AND resource.labels.service_name = "${service}"${extra}`;

describe('entries.list', () => {
  test('structured JSON lines keep their severity; stderr plain text has none (DEFAULT); exits go to varlog/system', async () => {
    const svc = await emulator.seedService({
      service: 'logs-app',
      image: `${IMAGE}:v1`,
      public: true,
      fields: { template: { containers: [{ command: ['node'], args: ['-e', APP] }] } },
    });
    expect((await fetch(`${svc.uri}/work`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 150));

    const warnings = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base(
        'logs-app',
        ' AND severity >= WARNING AND logName = "' +
          `projects/${project()}/logs/run.googleapis.com%2Fstdout"`,
      ),
    });
    expect(warnings.status).toBe(200);
    expect(warnings.json.entries).toHaveLength(1);
    expect(warnings.json.entries[0]).toMatchObject({
      logName: `projects/${project()}/logs/run.googleapis.com%2Fstdout`,
      severity: 'WARNING',
      jsonPayload: { message: 'slow upstream', path: '/work' },
      resource: {
        type: 'cloud_run_revision',
        labels: { service_name: 'logs-app', revision_name: svc.revision },
      },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      receiveTimestamp: expect.any(String),
      insertId: expect.any(String),
    });
    expect(warnings.json.entries[0].jsonPayload.severity).toBeUndefined();

    const stderr = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base('logs-app', ` AND logName = "projects/${project()}/logs/run.googleapis.com%2Fstderr"`),
    });
    expect(stderr.json.entries[0]).toMatchObject({ textPayload: 'plain line on stderr' });
    expect(stderr.json.entries[0].severity).toBeUndefined();
    const errors = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base('logs-app', ' AND severity >= ERROR'),
    });
    expect(errors.json).toEqual({});

    await fetch(`${svc.uri}/crash`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const system = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base(
        'logs-app',
        ` AND logName = "projects/${project()}/logs/run.googleapis.com%2Fvarlog%2Fsystem"`,
      ),
    });
    expect(system.json.entries.map((e: Json) => e.textPayload)).toContain('Container called exit(1).');
  });

  test('request logs: written when the request ends, httpRequest.status 503, latency, timestamp filter, order and pages', async () => {
    const svc = await emulator.seedService({ service: 'logs-req', image: `${IMAGE}:v1`, public: true });
    const before = new Date().toISOString();
    emulator.faults.update({ serverErrorRate: 1 });
    // Each response read to its end before the next request: a request's log entry is written when it ends,
    // and an unread body let n=1 end after n=2 once on a loaded CI run.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${svc.uri}/?n=${i}`);
      expect(res.status).toBe(503);
      await res.text();
    }
    emulator.faults.update({ serverErrorRate: 0 });
    expect(
      (await fetch(`${svc.uri}/events?interval=100&count=3`).then((r) => r.text())).length,
    ).toBeGreaterThan(0);

    const requests = `projects/${project()}/logs/run.googleapis.com%2Frequests`;
    const failed = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base(
        'logs-req',
        ` AND logName = "${requests}" AND httpRequest.status >= 500 AND timestamp >= "${before}"`,
      ),
      orderBy: 'timestamp desc',
      pageSize: 2,
    });
    expect(failed.status).toBe(200);
    expect(failed.json.entries).toHaveLength(2);
    expect(failed.json.entries[0]).toMatchObject({
      severity: 'ERROR',
      httpRequest: {
        requestMethod: 'GET',
        status: 503,
        responseSize: expect.stringMatching(/^\d+$/),
        latency: expect.stringMatching(/^\d+(\.\d+)?s$/),
      },
      resource: { labels: { revision_name: svc.revision } },
    });
    expect(failed.json.entries[0].httpRequest.requestUrl).toContain('/?n=2');
    expect(failed.json.nextPageToken).toEqual(expect.any(String));
    const rest = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base(
        'logs-req',
        ` AND logName = "${requests}" AND httpRequest.status >= 500 AND timestamp >= "${before}"`,
      ),
      orderBy: 'timestamp desc',
      pageSize: 2,
      pageToken: failed.json.nextPageToken,
    });
    expect(rest.json.entries).toHaveLength(1);
    expect(rest.json.entries[0].httpRequest.requestUrl).toContain('/?n=0');
    expect(rest.json.nextPageToken).toBeUndefined();

    const stream = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base('logs-req', ` AND logName = "${requests}" AND httpRequest.status = 200`),
    });
    const latency = Number(String(stream.json.entries[0].httpRequest.latency).replace('s', ''));
    expect(latency).toBeGreaterThanOrEqual(0.2);

    const later = await entries({
      resourceNames: [`projects/${project()}`],
      filter: base('logs-req', ` AND timestamp >= "${new Date(Date.now() + 60_000).toISOString()}"`),
    });
    expect(later.json).toEqual({});
  });

  test('the ingestion delay hides fresh entries; errors: bad filter 400, bad pageSize 400, no logging.viewer 403', async () => {
    const svc = await emulator.seedService({ service: 'logs-delay', image: `${IMAGE}:v1`, public: true });
    emulator.faults.update({ loggingDelayMs: 60_000 });
    await fetch(`${svc.uri}/`);
    expect(
      (await entries({ resourceNames: [`projects/${project()}`], filter: base('logs-delay') })).json,
    ).toEqual({});
    emulator.faults.update({ loggingDelayMs: 0 });
    expect(
      (await entries({ resourceNames: [`projects/${project()}`], filter: base('logs-delay') })).json.entries
        .length,
    ).toBeGreaterThan(0);

    const bad = await entries({ resourceNames: [`projects/${project()}`], filter: 'severity >= (' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^Unparseable filter/);
    expect((await entries({ resourceNames: [`projects/${project()}`], pageSize: 5000 })).status).toBe(400);
    const denied = await entries({ resourceNames: [`projects/${project()}`] }, 'federated');
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({
      status: 'PERMISSION_DENIED',
      message: "Permission 'logging.logEntries.list' denied on resource (or it may not exist).",
    });
  });
});
