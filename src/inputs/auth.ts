// Auth: the Workload Identity provider and service account inputs.
import { type InputName, type Problems, show } from './shared';

const WIF_PREFIXES = ['//iam.googleapis.com/', 'https://iam.googleapis.com/'];
const WIF_SHAPE =
  /^projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;
const WIF_EXPECTED =
  '`projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER` ' +
  '(`gcloud iam workload-identity-pools providers describe PROVIDER --location=global --workload-identity-pool=POOL --format="value(name)"` prints it)';
// Pool and provider ids: 4 to 32 lowercase letters, digits and hyphens.
const WIF_ID = /^[a-z0-9-]{4,32}$/;

// The provider's resource name without the `//iam.googleapis.com/` prefix users often copy (docs/platform.md "GitHub OIDC token", "STS exchange").
export function parseProvider(text: string, problems: Problems): string | undefined {
  const prefix = WIF_PREFIXES.find((p) => text.startsWith(p));
  const name = prefix ? text.slice(prefix.length) : text;
  const match = WIF_SHAPE.exec(name);
  const input = 'workload_identity_provider';
  if (!match) {
    problems.add(input, `${show(text)} is not a workload identity provider name`, WIF_EXPECTED);
    return undefined;
  }
  const [, project, location, pool, provider] = match;
  let ok = true;
  if (!/^[0-9]+$/.test(project)) {
    problems.add(
      input,
      `names project ${show(project)}, but provider names use the project NUMBER, not its id`,
      `\`projects/123456789012/…\` (\`gcloud projects describe ${project} --format="value(projectNumber)"\` prints it)`,
    );
    ok = false;
  }
  if (location !== 'global') {
    problems.add(
      input,
      `has location ${show(location)}; workload identity pools live in \`global\``,
      WIF_EXPECTED,
    );
    ok = false;
  }
  for (const [what, id] of [
    ['pool', pool],
    ['provider', provider],
  ] as const) {
    if (!WIF_ID.test(id)) {
      problems.add(
        input,
        `has an invalid ${what} id ${show(id)}`,
        `4 to 32 lowercase letters, digits and hyphens`,
      );
      ok = false;
    }
  }
  return ok ? name : undefined;
}

// Service account emails: `NAME@PROJECT.iam.gserviceaccount.com`, and Google's other forms such as
// `PROJECT_NUMBER-compute@developer.gserviceaccount.com` or `PROJECT@appspot.gserviceaccount.com`.
const SERVICE_ACCOUNT = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/i;
const SERVICE_ACCOUNT_EXPECTED =
  'a service account email such as `deployer@my-project.iam.gserviceaccount.com`';

export function parseServiceAccount(input: InputName, text: string, problems: Problems): string | undefined {
  if (SERVICE_ACCOUNT.test(text)) return text;
  if (text.startsWith('serviceAccount:'))
    problems.add(
      input,
      `${show(text)} has the IAM member prefix \`serviceAccount:\``,
      SERVICE_ACCOUNT_EXPECTED.replace('a service account email', 'the email alone'),
    );
  else if (!text.includes('@'))
    problems.add(input, `${show(text)} is not an email address`, SERVICE_ACCOUNT_EXPECTED);
  else problems.add(input, `${show(text)} is not a service account email`, SERVICE_ACCOUNT_EXPECTED);
  return undefined;
}
