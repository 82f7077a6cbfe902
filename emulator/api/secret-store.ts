// A local Secret Manager stand-in: `env[].valueSource.secretKeyRef = { secret, version }`
// (docs/platform.md "Secret references") resolves against a JSON file instead of Secret Manager.
import { readFileSync } from 'node:fs';

/** File shape: `{ "secrets": { "projects/P/secrets/NAME" or "NAME": { "1": "value", "2": "…" } } }`. */
export interface SecretFile {
  secrets: Record<string, Record<string, string>>;
}

export class SecretStore {
  constructor(private readonly file: SecretFile = { secrets: {} }) {}

  /** Loads a secret file; a missing path gives an empty store. */
  static load(path: string | undefined): SecretStore {
    if (!path) return new SecretStore();
    return new SecretStore(JSON.parse(readFileSync(path, 'utf8')) as SecretFile);
  }

  /** The value of `secret` (short name or full resource name) at `version` (a number or `latest`). */
  resolve(project: string, secret: string, version: string): string | undefined {
    const short = secret.replace(/^projects\/[^/]+\/secrets\//, '');
    const versions = this.file.secrets[`projects/${project}/secrets/${short}`] ?? this.file.secrets[short];
    if (!versions) return undefined;
    const wanted =
      version === 'latest' || version === ''
        ? String(Math.max(...Object.keys(versions).map(Number)))
        : version;
    return versions[wanted];
  }
}
