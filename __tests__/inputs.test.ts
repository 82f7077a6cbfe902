import { InputError } from '../src/errors';
import { INPUT_NAMES, parseInputs, type InputName } from '../src/inputs';

const VALID: Record<InputName, string> = {
  project_id: 'my-project',
  region: 'us-central1',
  service: 'api',
  image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
};

function reader(overrides: Partial<Record<InputName, string>>) {
  const values = { ...VALID, ...overrides };
  return (name: InputName) => values[name];
}

function problemsFor(overrides: Partial<Record<InputName, string>>): string[] {
  try {
    parseInputs(reader(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map((p) => p.input);
  }
  return [];
}

describe('parseInputs', () => {
  it('returns frozen, trimmed inputs when all are valid', () => {
    const inputs = parseInputs(reader({ service: '  api  ' }));
    expect(inputs).toEqual({
      projectId: 'my-project',
      region: 'us-central1',
      service: 'api',
      image: 'us-docker.pkg.dev/my-project/repo/api:1.2.3',
    });
    expect(Object.isFrozen(inputs)).toBe(true);
  });

  it.each(INPUT_NAMES.map((name) => [name]))('requires %s', (name) => {
    expect(problemsFor({ [name]: '' })).toEqual([name]);
    expect(problemsFor({ [name]: '   ' })).toEqual([name]);
  });

  // FACTS.md "service id": starts with a letter, letters/digits/`-`, under 50 characters.
  it.each([
    ['api', true],
    ['a', true],
    ['stream-api-2', true],
    ['a'.repeat(49), true],
    ['a'.repeat(50), false],
    ['2api', false],
    ['-api', false],
    ['api-', false],
    ['my_api', false],
    ['Api', false],
    ['api.v2', false],
  ])('service id %j valid: %s', (service, valid) => {
    expect(problemsFor({ service })).toEqual(valid ? [] : ['service']);
  });

  it.each([
    ['us-central1', true],
    ['europe-west4', true],
    ['northamerica-northeast1', true],
    ['us-central', false],
    ['US-CENTRAL1', false],
    ['us_central1', false],
    ['us-central1-a', false],
  ])('region %j valid: %s', (region, valid) => {
    expect(problemsFor({ region })).toEqual(valid ? [] : ['region']);
  });

  it('reports every problem at once, in input order, one line each naming the input', () => {
    let caught: unknown;
    try {
      parseInputs(reader({ project_id: '', region: 'Mars', service: '9lives', image: '' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const lines = (caught as InputError).message.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      '`project_id`',
      '`region`',
      '`service`',
      '`image`',
    ]);
    for (const line of lines) expect(line).toMatch(/^`[a-z_]+`: .+; expected .+/);
    expect(lines[1]).toContain('"Mars"');
  });
});
