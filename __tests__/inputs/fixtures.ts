// The inputs under test and the run contexts the parser is given: shared by the tests of each reader in
// src/inputs/.
import type { RunContext } from '../../src/core/config';
import { InputError, type InputProblem } from '../../src/errors';
import { parseInputs, type InputName } from '../../src/inputs';

export const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

export const PUSH: RunContext = {
  repository: 'acme/api',
  sha: SHA,
  eventName: 'push',
  runId: '9876543210',
  runAttempt: '2',
  actor: 'octocat',
};
export const PULL_REQUEST: RunContext = { ...PUSH, eventName: 'pull_request', pullRequest: 42 };

export const REQUIRED: Partial<Record<InputName, string>> = {
  project_id: 'my-project',
  region: 'us-central1',
  service: 'api',
  image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
};

// Like core.getInput: '' for inputs not given.
export function reader(values: Partial<Record<InputName, string>>) {
  return (name: InputName) => values[name] ?? '';
}

export function parse(overrides: Partial<Record<InputName, string>> = {}, context: RunContext = PUSH) {
  return parseInputs(reader({ ...REQUIRED, ...overrides }), context);
}

export function problemsOf(
  overrides: Partial<Record<InputName, string>>,
  context: RunContext = PUSH,
): InputProblem[] {
  try {
    parse(overrides, context);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return [...(error as InputError).problems];
  }
  return [];
}

export function inputsWithProblems(
  overrides: Partial<Record<InputName, string>>,
  context: RunContext = PUSH,
) {
  return problemsOf(overrides, context).map((p) => p.input);
}

// 41-char service: with the 5-char `pr-42` tag it makes exactly 46 (docs/platform.md "Tag").
export const svc = (length: number) => 'a'.repeat(length);
