import { readFileSync } from 'node:fs';
import { CLIENT_NAME, CLIENT_VERSION } from '../../src/core/client-info';

test('clientVersion is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  expect(CLIENT_VERSION).toBe(pkg.version);
  expect(CLIENT_NAME).toBe(pkg.name);
});
