// `npx tsx scripts/release.ts VERSION [--dry-run]`: releases HEAD as vVERSION (scripts/release/publish.ts).
// Reads GITHUB_REPOSITORY, GITHUB_API_URL (default https://api.github.com) and GITHUB_TOKEN, a token with
// Contents and Workflows write; .github/workflows/release.yml runs it.
import { ReleaseError, runRelease } from './release/publish';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const positional = args.filter((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && a !== '--dry-run');
if (positional.length !== 1 || unknown.length) {
  process.stderr.write('usage: tsx scripts/release.ts VERSION [--dry-run]   (VERSION like 1.2.3)\n');
  process.exit(2);
}

const env = process.env;
runRelease({
  cwd: process.cwd(),
  version: positional[0],
  repository: env.GITHUB_REPOSITORY ?? '',
  apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
  token: env.GITHUB_TOKEN || undefined,
  dryRun,
  log: (line) => process.stdout.write(`${line}\n`),
})
  .then(() => process.exit(0))
  .catch((err: Error) => {
    const token = env.GITHUB_TOKEN;
    const text =
      err instanceof ReleaseError ? `release stopped:\n${err.message}` : `release failed: ${err.message}`;
    process.stderr.write(`${token ? text.split(token).join('***') : text}\n`);
    process.exit(1);
  });
