// The CLI's flag reader, shared by its commands: `--flag value` and `--flag=value`, `--json`, `-h`/`--help`,
// and every problem at once (a missing value, a repeat, a value that fails its pattern, an unknown flag).
import { PROJECT_ID, REGION, SERVICE_ID } from '../core/name-rules';

export interface FlagSpec<K extends string> {
  key: K;
  valid: RegExp;
  expected: string;
}

/** The three flags that name a Cloud Run service, required by every command that touches one; checked
 * against the same patterns as the action's `service`, `region` and `project_id` (core/name-rules.ts). */
export const SERVICE_FLAGS: Record<string, FlagSpec<'service' | 'region' | 'project'>> = {
  '--service': {
    key: 'service',
    valid: SERVICE_ID,
    expected:
      'a Cloud Run service id such as `api` (lowercase letters, digits, hyphens, starting with a letter)',
  },
  '--region': { key: 'region', valid: REGION, expected: 'a Cloud Run region such as `us-central1`' },
  '--project': {
    key: 'project',
    valid: PROJECT_ID,
    expected: 'a Google Cloud project id such as `my-project` (not the project number)',
  },
};

/** Reads `argv` against `flags`; `required` flags that are absent (and not already refused) are problems. */
export function readFlags<K extends string>(
  argv: readonly string[],
  flags: Record<string, FlagSpec<K>>,
  required: readonly string[],
): { help: true } | { values: Partial<Record<K, string>>; json: boolean; problems: string[] } {
  const values: Partial<Record<K, string>> = {};
  let json = false;
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [argv[i].slice(0, eq), argv[i].slice(eq + 1)] : [argv[i], undefined];
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--json' && inline === undefined) json = true;
    else if (flag in flags) {
      const { key, valid, expected } = flags[flag];
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) {
        problems.push(`${flag} needs a value; expected ${expected}`);
        if (value !== undefined) i--;
      } else if (values[key] !== undefined) problems.push(`${flag} is given twice`);
      else if (!valid.test(value))
        problems.push(`${flag} ${JSON.stringify(value)} is not valid; expected ${expected}`);
      else values[key] = value;
    } else problems.push(`unknown ${flag.startsWith('-') ? 'option' : 'argument'} ${JSON.stringify(flag)}`);
  }
  for (const flag of required)
    if (values[flags[flag].key] === undefined && !problems.some((p) => p.startsWith(`${flag} `)))
      problems.push(`${flag} is required; expected ${flags[flag].expected}`);
  return { values, json, problems };
}
