// Multi-region services (src/core/multi-region.ts; docs/platform.md "Multi-region services have no tags"): they take no
// tags, so a release refuses them before any write and says what to do instead.
import { multiRegionRefusal } from '../../src/core/multi-region';
import { run } from '../../src/run';
import { FakeCloudRun, ports } from '../support/fake-release-ports';
import { SMOKE, config, context } from '../support/run-config';

const NAME = 'projects/p/locations/us-central1/services/api';

test('a regional service passes; a multi-region one is refused naming its regions and the alternative', () => {
  expect(multiRegionRefusal({ name: NAME })).toBeUndefined();
  expect(multiRegionRefusal({ name: NAME, multiRegionSettings: { regions: [] } })).toBeUndefined();
  const refusal = multiRegionRefusal({
    name: NAME,
    multiRegionSettings: { regions: ['us-central1', 'europe-west1'], multiRegionId: 'api-global' },
  });
  expect(refusal?.cause).toBe(
    'it is a multi-region service (api-global) in us-central1, europe-west1, and multi-region services take no traffic tags, so no candidate can wait at 0 % behind a tag URL',
  );
  expect(refusal?.hint).toMatch(/one regional service per region/);
});

test('run() stops before any write on a multi-region service: traffic as it was', async () => {
  const cloudRun = new FakeCloudRun();
  cloudRun.seed([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  Object.assign(cloudRun.service!, { multiRegionSettings: { regions: ['us-central1', 'asia-east1'] } });
  const outcome = await run(
    config({ smoke: SMOKE, rollout: 'progressive', trafficSteps: [100], stepWaitMs: [0] }),
    context,
    ports(cloudRun),
  );
  expect(outcome.verdict).toBe('failed');
  expect(outcome.failure).toMatch(
    /^Failed to release to .*: it is a multi-region service in us-central1, asia-east1/,
  );
  expect(cloudRun.steps).toEqual(['get']);
});
