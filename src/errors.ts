/** One thing wrong with one action input. */
export interface InputProblem {
  /** The input's name as written in action.yml, e.g. `service`. */
  input: string;
  /** What is wrong and what is expected, e.g. "is required; expected a Cloud Run service id". */
  message: string;
}

/** Every problem found in the action's inputs, reported together so one run shows them all. */
export class InputError extends Error {
  readonly problems: readonly InputProblem[];
  /** The warnings found beside the problems (`` `input`: … ``), shown with them: every finding at once. */
  readonly warnings: readonly string[];

  constructor(problems: readonly InputProblem[], warnings: readonly string[] = []) {
    super(problems.map((p) => `\`${p.input}\`: ${p.message}`).join('\n'));
    this.name = 'InputError';
    this.problems = Object.freeze([...problems]);
    this.warnings = Object.freeze([...warnings]);
  }
}

/** What a failed I/O step was doing, so its message can say what failed, where, why and what to do. */
export interface StepErrorDetails {
  /** The operation, as a verb phrase: "update service", "fetch GitHub OIDC token". */
  operation: string;
  /** The resource it acted on: a resource name, URL or file path. */
  target: string;
  /** The underlying error or a description of it. */
  cause: unknown;
  /** What the user can do about it: "grant roles/run.developer on …". */
  hint: string;
}

/**
 * An I/O step that failed; its message names the operation, the target, the cause and one hint. This is the
 * one place those are composed: a StepError whose cause is another StepError adds its own context and hint
 * and keeps only what the inner one found (its operation and target when they differ, then its cause), so
 * no message says "Failed to …" of the same thing twice or carries two hints.
 */
export class StepError extends Error {
  readonly operation: string;
  readonly target: string;
  readonly hint: string;
  /** What failed and why, without the hint: "Failed to OPERATION TARGET: CAUSE." */
  readonly problem: string;

  constructor(details: StepErrorDetails) {
    const cause = describeCause(details.cause, details);
    const problem = `Failed to ${details.operation} ${details.target}: ${cause}.`;
    // A cause that ends with quoted log lines gets the hint on a line of its own; an empty hint adds nothing.
    const hint = details.hint.trim();
    super(hint ? `${problem}${cause.includes('\n') ? '\n' : ' '}${hint}` : problem, {
      cause: details.cause,
    });
    this.name = 'StepError';
    this.operation = details.operation;
    this.target = details.target;
    this.hint = hint;
    this.problem = problem;
  }
}

/** What failed and why, without a hint: a StepError's `problem`, any other error's message. */
export function describeProblem(err: unknown): string {
  return err instanceof StepError ? err.problem : describeCause(err) + '.';
}

/** A Cloud Run operation failure with the revision's own reason when there is one. */
export class DeployFailure extends StepError {}

/** Cloud Run took the request but this run could not see the operation finish (polls failed, or the deadline passed). */
export class OperationUnsettled extends StepError {}

/** Someone else changed the service's traffic since this run set it: the run stops instead of overwriting. */
export class ConcurrentChange extends StepError {}

/** The cause as text, without a trailing period; a StepError's without its hint, and without repeating `outer`. */
function describeCause(cause: unknown, outer?: { operation: string; target: string }): string {
  if (cause instanceof StepError) {
    const same = outer && cause.operation === outer.operation && cause.target === outer.target;
    return same ? describeCause(cause.cause, outer) : cause.problem.replace(/[.\s]+$/, '');
  }
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/[.\s]+$/, '') || 'unknown error';
}

/** One streaming-lint finding, as errors.ts needs it (the full type lives in core/streaming-lint.ts). */
export interface BlockingFinding {
  rule: string;
  message: string;
  source: string;
}

/** The linter found problems that stop the release before anything is deployed. */
export class LintError extends Error {
  readonly findings: readonly BlockingFinding[];

  constructor(findings: readonly BlockingFinding[]) {
    super(
      `The streaming linter stopped the release before deploying:\n${findings.map((f) => `- [${f.rule}] ${f.message} (${f.source})`).join('\n')}`,
    );
    this.name = 'LintError';
    this.findings = Object.freeze([...findings]);
  }
}
