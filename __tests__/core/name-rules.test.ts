// Cloud Run's name rules, checked by the action's inputs and the CLI's flags alike (docs/platform.md "Service id",
// "Revision names").
import { PROJECT_ID, REGION, REVISION_SUFFIX, SERVICE_ID } from '../../src/core/name-rules';

test.each<[RegExp, string, string, boolean]>([
  [SERVICE_ID, 'service', 'api', true],
  [SERVICE_ID, 'service', 'stream-api-2', true],
  [SERVICE_ID, 'service', `a${'b'.repeat(48)}`, true],
  [SERVICE_ID, 'service', `a${'b'.repeat(49)}`, false],
  [SERVICE_ID, 'service', 'api-', false],
  [SERVICE_ID, 'service', '2api', false],
  [SERVICE_ID, 'service', 'API', false],
  [SERVICE_ID, 'service', 'api_1', false],
  [PROJECT_ID, 'project', 'my-project', true],
  [PROJECT_ID, 'project', 'example.com:my-project', true],
  [PROJECT_ID, 'project', 'short', false],
  [PROJECT_ID, 'project', '123456789012', false],
  [PROJECT_ID, 'project', 'my-project-', false],
  [REGION, 'region', 'us-central1', true],
  [REGION, 'region', 'northamerica-northeast1', true],
  [REGION, 'region', 'central', false],
  [REGION, 'region', 'us-central', false],
  [REVISION_SUFFIX, 'revision suffix', 'abc1234-1k2-1', true],
  [REVISION_SUFFIX, 'revision suffix', 'v42-', false],
  [REVISION_SUFFIX, 'revision suffix', 'V42', false],
])('%s: %s %j is valid: %j', (pattern, _kind, value, valid) => {
  expect(pattern.test(value)).toBe(valid);
});
