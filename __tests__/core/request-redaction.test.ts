import type { CloudRunService } from '../../src/core/cloud-run-types';
import { REDACTED, redactService, redactTokens } from '../../src/core/request-redaction';

const service = (): CloudRunService => ({
  name: 'projects/p/locations/us-central1/services/api',
  traffic: [],
  template: {
    containers: [
      {
        image: 'us-docker.pkg.dev/p/r/api:v1',
        env: [
          { name: 'DATABASE_URL', value: 'postgres://user:hunter2@db/app' },
          { name: 'DB', valueSource: { secretKeyRef: { secret: 'db-password', version: '3' } } },
        ],
        args: ['--port=8080', '--api-key=sk-live-123', '--token', 'tok-456', '--verbose'],
      },
      { image: 'us-docker.pkg.dev/p/r/sidecar:v1', env: [{ name: 'SIDECAR_PASSWORD', value: 'pw-789' }] },
    ],
  },
});

describe('redactService', () => {
  it('takes out every env value and credential-like argument, keeping names and secret references', () => {
    const dump = JSON.stringify(redactService(service()));
    for (const secret of ['hunter2', 'sk-live-123', 'tok-456', 'pw-789']) expect(dump).not.toContain(secret);
    const [main, sidecar] = redactService(service()).template.containers;
    expect(main.env).toEqual([
      { name: 'DATABASE_URL', value: REDACTED },
      { name: 'DB', valueSource: { secretKeyRef: { secret: 'db-password', version: '3' } } },
    ]);
    expect(main.args).toEqual(['--port=8080', REDACTED, REDACTED, REDACTED, '--verbose']);
    expect(sidecar.env).toEqual([{ name: 'SIDECAR_PASSWORD', value: REDACTED }]);
  });

  it('does not change the service it is given', () => {
    const original = service();
    redactService(original);
    expect(original).toEqual(service());
  });
});

// The one token redaction of messages: the action's auth errors and the CLI's error line.
describe('redactTokens', () => {
  const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  it.each([
    ['an access token', 'token ya29.a0AfH6SMB-secret_value was refused', 'ya29.'],
    ['a JWT', `bad subject_token=${JWT}`, 'eyJhbGci'],
    ['an unsigned JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'eyJzdWIi'],
    ['a GitHub token', `push with ghp_${'a'.repeat(36)}`, 'ghp_aaaa'],
    ['a fine-grained GitHub token', `github_pat_${'B1'.repeat(20)}`, 'github_pat_B1'],
    ['a bearer value', 'Authorization: Bearer abcdef0123456789xyz', 'abcdef0123456789xyz'],
    ['a basic value', 'authorization: basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpw'],
  ])('takes out %s', (_case, text, secret) => {
    const out = redactTokens(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('leaves ordinary words alone', () => {
    const text = 'grant roles/run.developer; a Bearer token is needed; see https://cloud.google.com/run';
    expect(redactTokens(text)).toBe(text);
  });
});
