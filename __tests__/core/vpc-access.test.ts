// VPC access planning (src/core/vpc-access.ts): the path the inputs name replaces the other one; the
// egress and the interface's tags stay unless given.
import { planVpcAccess } from '../../src/core/vpc-access';

const CONNECTOR = 'projects/p/locations/us-central1/connectors/c1';

test('nothing given: the live value, copied', () => {
  const live = { connector: CONNECTOR, egress: 'ALL_TRAFFIC' };
  const planned = planVpcAccess(live, undefined, []);
  expect(planned).toEqual(live);
  expect(planned).not.toBe(live);
  expect(planVpcAccess(undefined, undefined, [])).toBeUndefined();
});

test('a connector replaces Direct VPC egress and keeps the egress it had', () => {
  const notes: string[] = [];
  expect(
    planVpcAccess(
      { networkInterfaces: [{ network: 'n' }], egress: 'ALL_TRAFFIC' },
      { connector: CONNECTOR },
      notes,
    ),
  ).toEqual({ connector: CONNECTOR, egress: 'ALL_TRAFFIC' });
  expect(notes).toEqual([`Direct VPC egress is replaced by the connector ${CONNECTOR}.`]);
});

test('the same interface keeps its tags; another one does not; given tags win', () => {
  const live = { networkInterfaces: [{ network: 'n', subnetwork: 's', tags: ['web'] }] };
  expect(planVpcAccess(live, { network: 'n', subnet: 's' }, [])).toEqual({
    networkInterfaces: [{ network: 'n', subnetwork: 's', tags: ['web'] }],
  });
  expect(planVpcAccess(live, { network: 'n', subnet: 'other' }, [])).toEqual({
    networkInterfaces: [{ network: 'n', subnetwork: 'other' }],
  });
  expect(
    planVpcAccess(live, { network: 'n', subnet: 's', tags: ['db'], egress: 'PRIVATE_RANGES_ONLY' }, []),
  ).toEqual({
    networkInterfaces: [{ network: 'n', subnetwork: 's', tags: ['db'] }],
    egress: 'PRIVATE_RANGES_ONLY',
  });
});
