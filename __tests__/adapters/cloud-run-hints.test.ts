// The hint of a Cloud Run API failure is chosen by what the request was for and by the error's code and
// details, not by the status code alone (docs/platform.md "Errors").
import { hintFor, type ApiOperationKind } from '../../src/adapters/cloud-run-hints';
import { RestError, toRestError } from '../../src/adapters/run-rest';

const disabled = new RestError(
  '7 PERMISSION_DENIED: Cloud Run Admin API has not been used in project 123 before or it is disabled.',
  7,
  403,
  [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'SERVICE_DISABLED',
      domain: 'googleapis.com',
      metadata: { service: 'run.googleapis.com', consumer: 'projects/123' },
    },
  ],
);

test.each<[string, ApiOperationKind, RestError, RegExp]>([
  [
    'a disabled API names the API and the command, not a role',
    'deploy',
    disabled,
    /gcloud services enable run\.googleapis\.com --project demo/,
  ],
  [
    '403 on a deploy names run.developer and the setIamPolicy need of allow_unauthenticated',
    'deploy',
    new RestError('7 PERMISSION_DENIED: x', 7, 403),
    /roles\/run\.developer.*roles\/run\.admin/,
  ],
  [
    '403 on a traffic change names run.services.update',
    'traffic',
    new RestError('7 PERMISSION_DENIED: x', 7, 403),
    /run\.services\.update/,
  ],
  [
    '403 on an IAM change names run.admin',
    'iam',
    new RestError('7 PERMISSION_DENIED: x', 7, 403),
    /run\.services\.setIamPolicy.*roles\/run\.admin/,
  ],
  [
    'Domain Restricted Sharing',
    'iam',
    new RestError(
      '9 FAILED_PRECONDITION: One or more users named in the policy do not belong to a permitted customer, perhaps due to an organization policy.',
      9,
      400,
    ),
    /public_access_method: invoker-check/,
  ],
  [
    'a reused revision_suffix',
    'deploy',
    new RestError(
      "6 ALREADY_EXISTS: Revision named 'api-v1' with different configuration already exists.",
      6,
      409,
    ),
    /revision_suffix/,
  ],
  [
    'a failed revision on deploy',
    'deploy',
    new RestError("9 FAILED_PRECONDITION: Revision 'x' is not ready", 9, 400),
    /did not become ready/,
  ],
  [
    'a refused traffic change',
    'traffic',
    new RestError("9 FAILED_PRECONDITION: Revision 'x' is not ready", 9, 400),
    /traffic must exist and be ready/,
  ],
  [
    '400 on the first read is a region problem',
    'read',
    new RestError('3 INVALID_ARGUMENT: Unsupported region', 3, 400),
    /`region`/,
  ],
  [
    '501 on the first read is a region problem',
    'read',
    new RestError('12 UNIMPLEMENTED: Operation is not implemented', 12, 501),
    /`region`/,
  ],
])('%s', (_name, kind, err, hint) => {
  expect(hintFor(kind, err, 'demo')).toMatch(hint);
});

test.each<[string, unknown, number, number]>([
  [
    'a Google error body names its status',
    { response: { status: 409, data: { error: { code: 409, status: 'ABORTED', message: 'etag' } } } },
    10,
    409,
  ],
  [
    'a body without status falls back to the HTTP status',
    { response: { status: 503, data: '<html>' } },
    14,
    503,
  ],
  ['no answer at all is UNAVAILABLE, worth another try', { message: 'connect ECONNREFUSED' }, 14, 0],
])('toRestError: %s', (_name, err, code, httpStatus) => {
  const e = toRestError(err);
  expect([e.code, e.httpStatus]).toEqual([code, httpStatus]);
});
