// The rules a RevisionTemplate and a TaskTemplate share, as pure functions: VPC access, volumes and their
// mounts, and the secret references the creation check reads (emulator/README.md "VPC access", "Secret
// volumes in job tasks").
import { secretReferences, volumeProblems, vpcAccessProblems } from '../../../emulator/api/template-rules';

const WHERE = 'CreateServiceRequest.service.template.vpc_access';
const CONNECTOR = 'projects/demo-project/locations/us-central1/connectors/run-egress';

describe('vpcAccess (vendor_settings.proto VpcAccess; googleapis/google-cloud-node#4731)', () => {
  test.each([
    ['a connector', { connector: CONNECTOR }],
    ['a connector, all traffic', { connector: CONNECTOR, egress: 'ALL_TRAFFIC' }],
    ['a network', { networkInterfaces: [{ network: 'default' }], egress: 'PRIVATE_RANGES_ONLY' }],
    ['a subnetwork with tags', { networkInterfaces: [{ subnetwork: 'run-subnet', tags: ['web'] }] }],
    ['a network and its subnetwork', { networkInterfaces: [{ network: 'vpc', subnetwork: 'vpc-eu' }] }],
    ['a project number in the connector', { connector: 'projects/123/locations/europe-west1/connectors/c1' }],
  ])('%s is accepted', (_name, vpc) => {
    expect(vpcAccessProblems(vpc, WHERE)).toEqual([]);
  });

  test('absent is accepted', () => {
    expect(vpcAccessProblems(undefined, WHERE)).toEqual([]);
  });

  test.each([
    [
      'connector and network interfaces',
      { connector: CONNECTOR, networkInterfaces: [{ network: 'default' }] },
      `Violation in ${WHERE}.connector: one and only one of connector and network_interfaces must be set.`,
    ],
    [
      'neither (egress alone)',
      { egress: 'ALL_TRAFFIC' },
      `Violation in ${WHERE}.connector: one and only one of connector and network_interfaces must be set.`,
    ],
    [
      'neither (empty)',
      {},
      `Violation in ${WHERE}.connector: one and only one of connector and network_interfaces must be set.`,
    ],
    [
      'a short connector name',
      { connector: 'run-egress' },
      `Violation in ${WHERE}.connector: 'run-egress' is not a connector name`,
    ],
    [
      'a connector id with upper case',
      { connector: 'projects/p/locations/us-central1/connectors/Run' },
      'is not a connector name',
    ],
    [
      'a connector id over 25 characters',
      { connector: `projects/p/locations/us-central1/connectors/${'c'.repeat(26)}` },
      'is not a connector name',
    ],
    [
      'two network interfaces',
      { networkInterfaces: [{ network: 'a' }, { network: 'b' }] },
      `Violation in ${WHERE}.network_interfaces: only a single network interface is supported (got 2).`,
    ],
    [
      'an interface with tags only',
      { networkInterfaces: [{ tags: ['web'] }] },
      `Violation in ${WHERE}.network_interfaces[0]: at least one of network or subnetwork must be specified.`,
    ],
    [
      'an unknown egress',
      { connector: CONNECTOR, egress: 'ALL' },
      `Violation in ${WHERE}.egress: 'ALL' is not a VPC egress setting: expected ALL_TRAFFIC or PRIVATE_RANGES_ONLY.`,
    ],
  ])('%s is refused', (_name, vpc, message) => {
    const problems = vpcAccessProblems(vpc, WHERE);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });
});

describe('volumes and volume mounts (k8s.min.proto Volume, SecretVolumeSource, VolumeMount)', () => {
  const where = 'CreateJobRequest.job.template.template';
  const image = 'us-docker.pkg.dev/demo/jobs/job-app';
  const secretVolume = (items?: unknown[], extra: object = {}) => ({
    name: 'db',
    secret: { secret: 'api-key', ...(items ? { items } : {}), ...extra },
  });
  const template = (volumes: unknown[], mounts: unknown[]) => ({
    volumes,
    containers: [{ image, volumeMounts: mounts }],
  });

  test.each([
    [
      'a secret volume with an item',
      [secretVolume([{ path: 'key', version: '2' }])],
      [{ name: 'db', mountPath: '/secrets/db' }],
    ],
    ['a secret volume without items', [secretVolume()], [{ name: 'db', mountPath: '/secrets/db' }]],
    [
      'a file name with dots',
      [secretVolume([{ path: 'server-ca.pem', version: 'latest' }])],
      [{ name: 'db', mountPath: '/etc/db/' }],
    ],
    [
      'modes',
      [secretVolume([{ path: 'k', version: '1', mode: 0o400 }], { defaultMode: 0o440 })],
      [{ name: 'db', mountPath: '/s' }],
    ],
    [
      'an empty dir and a secret',
      [secretVolume(), { name: 'scratch', emptyDir: {} }],
      [
        { name: 'db', mountPath: '/s' },
        { name: 'scratch', mountPath: '/scratch' },
      ],
    ],
    ['a volume nobody mounts', [secretVolume()], []],
  ])('%s is accepted', (_name, volumes, mounts) => {
    expect(volumeProblems(template(volumes, mounts), where)).toEqual([]);
  });

  test.each([
    [
      'a mount naming no volume',
      [secretVolume()],
      [{ name: 'cache', mountPath: '/s' }],
      `Violation in ${where}.containers[0].volume_mounts[0].name: no volume named 'cache' in the template's volumes.`,
    ],
    [
      'two mounts at one path',
      [secretVolume(), { name: 'other', secret: { secret: 'greeting' } }],
      [
        { name: 'db', mountPath: '/secrets' },
        { name: 'other', mountPath: '/secrets/' },
      ],
      `Violation in ${where}.containers[0].volume_mounts[1].mount_path: '/secrets/' is already the mount path of another volume.`,
    ],
    [
      'a relative mount path',
      [secretVolume()],
      [{ name: 'db', mountPath: 'secrets' }],
      `volume_mounts[0].mount_path: 'secrets' must be an absolute path.`,
    ],
    [
      'a mount path with a colon',
      [secretVolume()],
      [{ name: 'db', mountPath: '/a:b' }],
      `must not contain ':'.`,
    ],
    ['the root', [secretVolume()], [{ name: 'db', mountPath: '/' }], 'cannot be mounted at the root'],
    [
      'under /proc',
      [secretVolume()],
      [{ name: 'db', mountPath: '/proc/x' }],
      'cannot be mounted at or under /proc',
    ],
    ['a mount without a path', [secretVolume()], [{ name: 'db' }], 'mount_path: the mount path is required.'],
    [
      'two volumes with one name',
      [secretVolume(), secretVolume()],
      [],
      `Violation in ${where}.volumes[1].name: volume name 'db' is used more than once.`,
    ],
    [
      'a volume without a source',
      [{ name: 'x' }],
      [],
      `Violation in ${where}.volumes[0]: a volume needs a source`,
    ],
    [
      'a secret volume without a secret',
      [{ name: 'x', secret: { items: [] } }],
      [],
      `volumes[0].secret.secret: the secret name is required.`,
    ],
    [
      'an item without a version',
      [secretVolume([{ path: 'key' }])],
      [],
      `volumes[0].secret.items[0].version: items must specify a version`,
    ],
    [
      'an item path with a slash',
      [secretVolume([{ path: 'a/b', version: '1' }])],
      [],
      `volumes[0].secret.items[0].path: 'a/b' must be a file name`,
    ],
    [
      'an item path ..',
      [secretVolume([{ path: '..', version: '1' }])],
      [],
      `items[0].path: '..' must be a file name`,
    ],
    [
      'two items at one path',
      [
        secretVolume([
          { path: 'k', version: '1' },
          { path: 'k', version: '2' },
        ]),
      ],
      [],
      `items[1].path: 'k' is used by more than one item.`,
    ],
    [
      'a mode above 0777',
      [secretVolume([{ path: 'k', version: '1', mode: 0o1000 }])],
      [],
      'items[0].mode: mode bits must be between 0000 and 0777',
    ],
    [
      'a default mode below 0',
      [secretVolume(undefined, { defaultMode: -1 })],
      [],
      'secret.default_mode: mode bits must be between 0000 and 0777',
    ],
  ])('%s is refused', (_name, volumes, mounts, message) => {
    const problems = volumeProblems(template(volumes, mounts), where);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });
});

test('secret references: env refs and secret volumes, named as the secrets check reports them', () => {
  const refs = secretReferences({
    containers: [
      {
        env: [
          { name: 'PLAIN', value: 'x' },
          { name: 'KEY', valueSource: { secretKeyRef: { secret: 'api-key', version: '2' } } },
          { name: 'LATEST', valueSource: { secretKeyRef: { secret: 'greeting' } } },
        ],
      },
    ],
    volumes: [
      { name: 'scratch', emptyDir: {} },
      { name: 'db', secret: { secret: 'api-key', items: [{ path: 'k', version: '1' }] } },
      { name: 'all', secret: { secret: 'projects/other/secrets/s' } },
    ],
  });
  expect(refs).toEqual([
    {
      field: 'spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name',
      secret: 'api-key',
      version: '2',
    },
    {
      field: 'spec.template.spec.containers[0].env[2].value_from.secret_key_ref.name',
      secret: 'greeting',
      version: 'latest',
    },
    { field: 'spec.template.spec.volumes[1].secret.items[0].key', secret: 'api-key', version: '1' },
    {
      field: 'spec.template.spec.volumes[2].secret.secret_name',
      secret: 'projects/other/secrets/s',
      version: 'latest',
    },
  ]);
});
