// The VPC inputs (src/inputs/network.ts): a connector or Direct VPC egress, the egress setting, each
// problem named at once.
import { parse, problemsOf } from './fixtures';

test('a short connector name becomes its full name in the project and region', () => {
  expect(parse({ vpc_connector: 'my-connector', vpc_egress: 'all-traffic' }).vpc).toEqual({
    connector: 'projects/my-project/locations/us-central1/connectors/my-connector',
    egress: 'ALL_TRAFFIC',
  });
});

test('Direct VPC egress: a Shared VPC network and subnet with tags', () => {
  expect(
    parse({
      vpc_network: 'projects/host-project/global/networks/shared',
      vpc_subnet: 'projects/host-project/regions/us-central1/subnetworks/run',
      vpc_network_tags: 'web, db',
      vpc_egress: 'Private-Ranges-Only',
    }).vpc,
  ).toEqual({
    network: 'projects/host-project/global/networks/shared',
    subnet: 'projects/host-project/regions/us-central1/subnetworks/run',
    tags: ['web', 'db'],
    egress: 'PRIVATE_RANGES_ONLY',
  });
});

test('a connector named by project number is kept as given', () => {
  const connector = 'projects/123456789012/locations/us-central1/connectors/egress';
  expect(parse({ vpc_connector: connector }).vpc).toEqual({ connector });
});

test('none given: no VPC settings, the live ones stay', () => {
  expect(parse().vpc).toBeUndefined();
});

test('every problem at once, each naming its input and the fix', () => {
  const problems = problemsOf({
    vpc_connector: 'projects/my-project/locations/europe-west1/connectors/c1',
    vpc_subnet: 'Sub_Net',
    vpc_network_tags: 'ok,Not OK',
    vpc_egress: 'everything',
  });
  expect(problems.map((p) => p.input)).toEqual([
    'vpc_connector',
    'vpc_connector',
    'vpc_subnet',
    'vpc_network_tags',
    'vpc_egress',
  ]);
  expect(problems.map((p) => p.message).join('\n')).toMatch(/not both[\s\S]*is in europe-west1/);
});

test('egress or tags without a path are refused with what to add', () => {
  const problems = problemsOf({ vpc_egress: 'all-traffic' });
  expect(problems).toHaveLength(1);
  expect(problems[0].input).toBe('vpc_egress');
  expect(problems[0].message).toMatch(/connector, or the network and subnet/);
  expect(problemsOf({ vpc_network_tags: 'web' }).map((p) => p.input)).toEqual(['vpc_network_tags']);
});
