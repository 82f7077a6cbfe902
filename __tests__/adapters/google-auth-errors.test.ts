// explainAuthError (src/adapters/google-auth-errors.ts): what each auth failure says, and what to do about
// it.
import { StepError } from '../../src/errors';
import { explainAuthError } from '../../src/adapters/google-auth';

describe('explainAuthError', () => {
  const context = {
    operation: 'obtain an access token with',
    target: 'the test credentials',
    workloadIdentityProvider: 'projects/42/locations/global/workloadIdentityPools/gh/providers/p',
    serviceAccount: 'sa@p.iam.gserviceaccount.com',
    repository: 'o/r',
    federated: true,
  };
  const gaxiosLike = (url: string, status: number, data: unknown, message = 'Request failed') =>
    Object.assign(new Error(message), { status, config: { url: new URL(url) }, response: { status, data } });

  test.each([
    [
      'STS invalid_grant: the provider did not accept GitHub’s token',
      gaxiosLike('https://sts.googleapis.com/v1/token', 400, {
        error: 'invalid_grant',
        error_description: 'The audience in ID Token [x] does not match the expected audience.',
      }),
      /issuer is https:\/\/token\.actions\.githubusercontent\.com.*https:\/\/iam\.googleapis\.com\/projects\/42/,
    ],
    [
      'IAM Credentials 404: the account does not exist',
      gaxiosLike(
        'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa%40p.iam.gserviceaccount.com:generateAccessToken',
        404,
        {
          error: {
            code: 404,
            message: 'Not found; Gaia id not found for email sa@p.iam.gserviceaccount.com',
          },
        },
      ),
      /impersonate service account sa@p\.iam\.gserviceaccount\.com: .*Check `service_account`/,
    ],
    [
      'a key or user without the role: roles/iam.serviceAccountTokenCreator, not workloadIdentityUser',
      gaxiosLike(
        'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken',
        403,
        { error: { code: 403, message: 'denied' } },
      ),
      /grant roles\/iam\.serviceAccountTokenCreator on service account sa@p\.iam\.gserviceaccount\.com/,
    ],
    [
      'network failure: transient, retry',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      /network error ECONNREFUSED.*retry the job/,
    ],
  ])('%s', (_name, err, pattern) => {
    const federated = !/serviceAccountTokenCreator/.test(String(pattern));
    const explained = explainAuthError(err, { ...context, federated });
    expect(explained).toBeInstanceOf(StepError);
    expect(explained.message).toMatch(pattern);
  });

  test('tokens in a library message are redacted, and the original error (with its request) is not kept', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const err = Object.assign(new Error(`bad subject_token=${jwt} with Bearer ya29.secret-token-value`), {
      config: { headers: { authorization: 'Bearer ya29.secret-token-value' } },
    });
    const explained = explainAuthError(err, {
      ...context,
      scrub: (text) => text.split('ya29.secret-token-value').join('***'),
    });
    expect(explained.message).not.toContain(jwt);
    expect(explained.message).not.toContain('secret-token-value');
    expect(JSON.stringify(explained.cause)).not.toContain('secret-token-value');
    expect((explained.cause as Error).message).not.toContain('secret-token-value');
  });

  test('a StepError passes through unchanged', () => {
    const original = new StepError({ operation: 'x', target: 'y', cause: 'z', hint: 'w' });
    expect(explainAuthError(original, context)).toBe(original);
  });
});
