import { describeProblem, InputError, StepError } from '../src/errors';

describe('InputError', () => {
  it('renders one line per problem, naming the input', () => {
    const error = new InputError([
      { input: 'region', message: 'is required; expected a Cloud Run region such as `us-central1`' },
      { input: 'service', message: '"9x" is not valid; expected a letter first' },
    ]);
    expect(error.message).toBe(
      '`region`: is required; expected a Cloud Run region such as `us-central1`\n' +
        '`service`: "9x" is not valid; expected a letter first',
    );
    expect(error.problems.map((p) => p.input)).toEqual(['region', 'service']);
    expect(Object.isFrozen(error.problems)).toBe(true);
  });
});

describe('StepError', () => {
  it('says the operation, the target, the cause and what to do', () => {
    const cause = new Error('7 PERMISSION_DENIED: caller lacks run.services.update.');
    const error = new StepError({
      operation: 'update service',
      target: 'projects/p/locations/us-central1/services/api',
      cause,
      hint: 'Grant roles/run.developer on the service to the deploying identity.',
    });
    expect(error.message).toBe(
      'Failed to update service projects/p/locations/us-central1/services/api: ' +
        '7 PERMISSION_DENIED: caller lacks run.services.update. ' +
        'Grant roles/run.developer on the service to the deploying identity.',
    );
    expect(error.cause).toBe(cause);
    expect(error).toMatchObject({
      name: 'StepError',
      operation: 'update service',
      target: expect.any(String),
    });
  });

  it('a wrapper adds its context and its one hint, never repeating the inner operation, target or hint', () => {
    const inner = new StepError({
      operation: 'set traffic on',
      target: 'S',
      cause: 'Cloud Run answered UNAVAILABLE (HTTP 503) 5 times in a row',
      hint: 'Retry the job later.',
    });
    const same = new StepError({
      operation: 'set traffic on',
      target: 'S',
      cause: inner,
      hint: 'Run the rollback.',
    });
    expect(same.message).toBe(
      'Failed to set traffic on S: Cloud Run answered UNAVAILABLE (HTTP 503) 5 times in a row. Run the rollback.',
    );
    const other = new StepError({
      operation: 'roll back',
      target: 'release 7',
      cause: inner,
      hint: 'Run the rollback.',
    });
    expect(other.message).toBe(
      'Failed to roll back release 7: Failed to set traffic on S: Cloud Run answered UNAVAILABLE (HTTP 503) 5 times in a row. Run the rollback.',
    );
    expect(other.cause).toBe(inner);
    expect(describeProblem(inner)).toBe(
      'Failed to set traffic on S: Cloud Run answered UNAVAILABLE (HTTP 503) 5 times in a row.',
    );
    expect(describeProblem(new Error('boom.'))).toBe('boom.');
  });

  it('an empty hint adds nothing', () => {
    expect(new StepError({ operation: 'read', target: 'x', cause: 'gone', hint: '' }).message).toBe(
      'Failed to read x: gone.',
    );
  });

  it('describes a cause that is not an Error', () => {
    const error = new StepError({
      operation: 'read',
      target: 'state.json',
      cause: 'ENOENT',
      hint: 'Check the path.',
    });
    expect(error.message).toBe('Failed to read state.json: ENOENT. Check the path.');
  });
});
