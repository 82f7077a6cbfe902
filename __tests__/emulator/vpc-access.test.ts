// `template.vpcAccess` on services and jobs, through the real ServicesClient and JobsClient over HTTP
// (emulator/README.md "VPC access"): each rule refused with 400 INVALID_ARGUMENT and its message, a valid
// connector or network interface accepted and reported back.
import type { IdentityPoolClient } from 'google-auth-library';
import type { JobsClient, ServicesClient, protos } from '@google-cloud/run';
import { startEmulator, type Emulator } from '../../emulator/emulator';
import { jobClients, LRO, runClients, wifClient } from '../../emulator/clients';
import { livePids } from '../../emulator/data-plane/instances';

const SERVICE_IMAGE = 'us-docker.pkg.dev/demo/streams/stream-app:v1';
const JOB_IMAGE = 'us-docker.pkg.dev/demo/jobs/job-app';
const CONNECTOR = 'projects/demo-project/locations/us-central1/connectors/run-egress';

type VpcAccess = protos.google.cloud.run.v2.IVpcAccess;

let emulator: Emulator;
let auth: IdentityPoolClient;
let services: ServicesClient;
let jobs: JobsClient;
let parent: string;

beforeAll(async () => {
  emulator = await startEmulator({});
  auth = wifClient(emulator.endpoints);
  ({ services } = runClients(emulator.endpoints, auth));
  ({ jobs } = jobClients(emulator.endpoints, auth));
  parent = `projects/${emulator.endpoints.project}/locations/us-central1`;
});

afterAll(async () => {
  await emulator.stop();
  expect(livePids()).toEqual([]);
});

const RULES: Array<[string, VpcAccess, string, string]> = [
  [
    'a connector and a network interface',
    { connector: CONNECTOR, networkInterfaces: [{ network: 'default' }] },
    '.connector',
    'one and only one of connector and network_interfaces must be set.',
  ],
  [
    'egress alone',
    { egress: 'ALL_TRAFFIC' },
    '.connector',
    'one and only one of connector and network_interfaces must be set.',
  ],
  [
    'a connector that is not a connector name',
    { connector: 'run-egress' },
    '.connector',
    "'run-egress' is not a connector name: expected projects/{project}/locations/{location}/connectors/{connector}",
  ],
  [
    'two network interfaces',
    { networkInterfaces: [{ network: 'a' }, { subnetwork: 'b' }] },
    '.network_interfaces',
    'only a single network interface is supported (got 2).',
  ],
  [
    'an interface without network or subnetwork',
    { networkInterfaces: [{ tags: ['web'] }] },
    '.network_interfaces[0]',
    'at least one of network or subnetwork must be specified.',
  ],
];

describe('services', () => {
  test.each(RULES)('%s is refused', async (_name, vpcAccess, field, text) => {
    const refused = services.createService({
      parent,
      serviceId: 'vpc-bad',
      service: { template: { containers: [{ image: SERVICE_IMAGE }], vpcAccess } },
    });
    await expect(refused).rejects.toMatchObject({ code: 3 });
    await expect(refused).rejects.toThrow(
      `Violation in CreateServiceRequest.service.template.vpc_access${field}: ${text}`,
    );
  });

  test('an unknown egress is refused by the proto check, in Google words (400)', async () => {
    const { token } = await auth.getAccessToken();
    const res = await fetch(`${emulator.endpoints.runApi.url}/v2/${parent}/services?serviceId=vpc-enum`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        template: {
          containers: [{ image: SERVICE_IMAGE }],
          vpcAccess: { connector: CONNECTOR, egress: 'ALL' },
        },
      }),
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { status: string; message: string } };
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain("Invalid value at 'service.template.vpc_access.egress'");
  });

  test('a connector is accepted and reported back; an update to Direct VPC egress is checked too', async () => {
    const [op] = await services.createService(
      {
        parent,
        serviceId: 'vpc-ok',
        service: {
          template: {
            containers: [{ image: SERVICE_IMAGE }],
            vpcAccess: { connector: CONNECTOR, egress: 'ALL_TRAFFIC' },
          },
        },
      },
      LRO,
    );
    const [service] = await op.promise();
    expect(service.template?.vpcAccess?.connector).toBe(CONNECTOR);
    expect(String(service.template?.vpcAccess?.egress)).toMatch(/ALL_TRAFFIC|^1$/);
    const refused = services.updateService({
      service: {
        ...service,
        template: {
          ...service.template,
          vpcAccess: { connector: CONNECTOR, networkInterfaces: [{ network: 'n' }] },
        },
      },
    });
    await expect(refused).rejects.toThrow(
      'Violation in UpdateServiceRequest.service.template.vpc_access.connector: one and only one of connector and network_interfaces must be set.',
    );
  });
});

describe('jobs', () => {
  test.each(RULES)('%s is refused', async (_name, vpcAccess, field, text) => {
    const refused = jobs.createJob({
      parent,
      jobId: 'vpc-bad',
      job: { template: { template: { containers: [{ image: JOB_IMAGE }], vpcAccess } } },
    });
    await expect(refused).rejects.toMatchObject({ code: 3 });
    await expect(refused).rejects.toThrow(
      `Violation in CreateJobRequest.job.template.template.vpc_access${field}: ${text}`,
    );
  });

  test('one network interface is accepted and reported back', async () => {
    const vpcAccess = {
      networkInterfaces: [{ network: 'default', subnetwork: 'run-subnet', tags: ['batch'] }],
    };
    const [op] = await jobs.createJob(
      {
        parent,
        jobId: 'vpc-ok',
        job: { template: { template: { containers: [{ image: JOB_IMAGE }], vpcAccess } } },
      },
      LRO,
    );
    const [job] = await op.promise();
    expect(job.template?.template?.vpcAccess?.networkInterfaces).toEqual([
      expect.objectContaining({ network: 'default', subnetwork: 'run-subnet', tags: ['batch'] }),
    ]);
  });
});
