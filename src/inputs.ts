import { InputError, type InputProblem } from './errors';

/** Every input the action reads; action.yml declares exactly these (checked by __tests__/action.test.ts). */
export const INPUT_NAMES = ['project_id', 'region', 'service', 'image'] as const;

export type InputName = (typeof INPUT_NAMES)[number];

/** The validated configuration of one run. */
export interface ActionInputs {
  /** Google Cloud project id that owns the service. */
  projectId: string;
  /** Cloud Run region, e.g. `us-central1`. */
  region: string;
  /** Cloud Run service id. */
  service: string;
  /** Container image reference to deploy. */
  image: string;
}

/** How one required string input is checked: what it should look like, and an optional format rule. */
interface RequiredRule {
  expected: string;
  format?: { pattern: RegExp; explain: string };
}

const RULES: Record<InputName, RequiredRule> = {
  project_id: { expected: 'a Google Cloud project id such as `my-project`' },
  region: {
    expected: 'a Cloud Run region such as `us-central1`',
    // Region names: `us-central1`, `europe-west4`, `northamerica-northeast1`.
    format: {
      pattern: /^[a-z]+-[a-z]+[0-9]+$/,
      explain: 'lowercase words and a number, such as `us-central1`',
    },
  },
  service: {
    expected: 'a Cloud Run service id such as `api`',
    // FACTS.md "service id": starts with a letter, letters/digits/`-`, under 50 characters; service.proto adds
    // that it cannot end with a hyphen. Cloud Run resource ids are lowercase.
    format: {
      pattern: /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/,
      explain:
        'lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, fewer than 50 characters',
    },
  },
  image: { expected: 'a container image such as `us-docker.pkg.dev/my-project/repo/api:1.2.3`' },
};

// Reads and validates every input at once so the user sees all problems in one run, not one per run.
export function parseInputs(read: (name: InputName) => string): Readonly<ActionInputs> {
  const problems: InputProblem[] = [];
  const value = (name: InputName): string => {
    const text = read(name).trim();
    const rule = RULES[name];
    if (text === '') {
      problems.push({ input: name, message: `is required; expected ${rule.expected}` });
    } else if (rule.format && !rule.format.pattern.test(text)) {
      problems.push({ input: name, message: `"${text}" is not valid; expected ${rule.format.explain}` });
    }
    return text;
  };

  const inputs = {
    projectId: value('project_id'),
    region: value('region'),
    service: value('service'),
    image: value('image'),
  };
  if (problems.length > 0) throw new InputError(problems);
  return Object.freeze(inputs);
}
