// The workflow checker (scripts/check-workflows.ts): GitHub's language service with our action.yml and the
// reusable workflow resolved locally, the snippet wrapping, the permission rule; then every workflow file
// and markdown snippet of this repository through it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkMarkdown,
  checkWorkflowFile,
  filesToCheck,
  repositoryContext,
} from '../../scripts/check-workflows';
import type { CheckContext, Problem } from '../../scripts/check-workflows/context';
import { grantOf, permissionsForAction, permissionProblems } from '../../scripts/check-workflows/permissions';
import { extractYamlFences, wrapSnippet } from '../../scripts/check-workflows/snippets';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A small action and reusable workflow, so these cases do not move when action.yml does. */
const REUSABLE = `on:
  workflow_call:
    inputs:
      service: { type: string, required: true }
      workload_identity_provider: { type: string, required: true }
      comment_on_pr: { type: boolean, required: false, default: true }
      github_deployment: { type: boolean, required: false, default: true }
      mode: { type: string, required: false, default: release }
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: stream-deploy/stream-deploy@v1
        with:
          service: \${{ inputs.service }}
          workload_identity_provider: \${{ inputs.workload_identity_provider }}
          comment_on_pr: \${{ inputs.comment_on_pr }}
          github_deployment: \${{ inputs.github_deployment }}
          mode: \${{ inputs.mode }}
`;
/** A called workflow whose job declares what it needs: GitHub's own rule applies to it. */
const DECLARING = `on: workflow_call
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: { contents: read, packages: write }
    steps:
      - run: echo build
`;
const context: CheckContext = {
  action: {
    name: 'stream-deploy',
    inputs: {
      service: { description: 'id', required: true },
      workload_identity_provider: { description: 'provider' },
      comment_on_pr: { description: 'comment', default: 'true' },
      github_deployment: { description: 'deployment', default: 'true' },
      comment_on_commit: { description: 'commit comment', default: 'false' },
      mode: { description: 'mode', default: 'release' },
    },
  },
  readWorkflow: (path) =>
    ({ '.github/workflows/stream-deploy.yml': REUSABLE, '.github/workflows/build.yml': DECLARING })[path],
};
const WIF = 'projects/1/locations/global/workloadIdentityPools/p/providers/g';

function messages(problems: Problem[]): string[] {
  return problems.map((p) => `${p.line}: ${p.message}`);
}

describe('extractYamlFences', () => {
  it('finds yaml and yml fences, indented ones too, with the line of their first content line', () => {
    const markdown = [
      '# Title',
      '',
      '```yaml',
      'a: 1',
      '```',
      '- item',
      '  ```yml',
      '  b: 2',
      '  ```',
      '',
    ].join('\n');
    expect(extractYamlFences(markdown)).toEqual([
      { line: 4, text: 'a: 1\n', skipped: false },
      { line: 8, text: 'b: 2\n', skipped: false },
    ]);
  });

  it('marks a fence after the skip marker as skipped, and only that one', () => {
    const markdown =
      '<!-- check-workflows: skip (a Cloud Run service) -->\n\n```yaml\nkind: Service\n```\n```yaml\nx: 1\n```\n';
    expect(extractYamlFences(markdown).map((f) => f.skipped)).toEqual([true, false]);
  });

  it('ignores fences of other languages', () => {
    expect(extractYamlFences('```json\n{}\n```\n```\nplain\n```\n')).toEqual([]);
  });
});

describe('wrapSnippet', () => {
  const wrap = (text: string) => wrapSnippet('doc.md', { line: 10, text, skipped: false });
  it.each([
    ['a workflow without on:', 'jobs:\n  a:\n    runs-on: x\n    steps: [{ run: echo }]\n', 1, true, false],
    [
      'a workflow with on:',
      'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: echo }]\n',
      0,
      true,
      false,
    ],
    ['a step list', '- uses: actions/checkout@v5\n- run: echo\n', 5, false, false],
    ['one job', 'runs-on: ubuntu-latest\nsteps:\n  - run: echo\n', 3, true, false],
    ['a with: block', 'with:\n  service: api\n', 6, false, true],
    ['a permissions: block', 'permissions:\n  id-token: write\n', 1, false, false],
  ])('wraps %s into a workflow', (_, text, offset, hasJobs, partialInputs) => {
    expect(wrap(text)).toMatchObject({ file: 'doc.md', firstLine: 10, offset, hasJobs, partialInputs });
  });

  it('refuses YAML that is not workflow YAML, naming the skip marker', () => {
    expect(wrap('apiVersion: serving.knative.dev/v1\nkind: Service\n')).toMatchObject({
      file: 'doc.md',
      line: 10,
      message: expect.stringContaining('<!-- check-workflows: skip'),
    });
  });

  it('reports YAML that does not parse', () => {
    expect(wrap('a: [1\n')).toMatchObject({ line: 10, message: expect.stringContaining('not valid YAML') });
  });
});

describe('grantOf', () => {
  it.each([
    [
      'a mapping names scopes, the rest none',
      { 'id-token': 'write' },
      'id-token',
      'write',
      'statuses',
      undefined,
    ],
    ['an empty mapping grants nothing', {}, 'contents', undefined, 'id-token', undefined],
    ['write-all grants every scope', 'write-all', 'id-token', 'write', 'statuses', 'write'],
    ['read-all never grants id-token', 'read-all', 'id-token', 'none', 'contents', 'read'],
    ['absent: the default token, never id-token', undefined, 'id-token', undefined, 'contents', 'read'],
  ])('%s', (_, permissions, scopeA, levelA, scopeB, levelB) => {
    const { grant } = grantOf(permissions);
    expect([grant[scopeA], grant[scopeB]]).toEqual([levelA, levelB]);
  });
});

describe('permissionsForAction', () => {
  const scopes = (args: Record<string, string | null | undefined>, events: Set<string> | 'any') =>
    permissionsForAction(args, events)
      .map((n) => `${n.scope}: ${n.level}`)
      .sort();
  it.each([
    [
      'a pull request release with every channel',
      { workload_identity_provider: WIF },
      ['pull_request'],
      ['contents: read', 'deployments: write', 'id-token: write', 'pull-requests: write', 'statuses: write'],
    ],
    [
      'a push release: no pull request to comment on',
      { workload_identity_provider: WIF },
      ['push'],
      ['contents: read', 'deployments: write', 'id-token: write', 'statuses: write'],
    ],
    [
      'reports off',
      { workload_identity_provider: WIF, comment_on_pr: 'false', github_deployment: 'false' },
      ['pull_request'],
      ['contents: read', 'id-token: write'],
    ],
    [
      'commit comments on',
      { workload_identity_provider: WIF, github_deployment: 'false', comment_on_commit: 'true' },
      ['push'],
      ['contents: read', 'contents: write', 'id-token: write'],
    ],
    [
      'cleanup',
      { workload_identity_provider: WIF, mode: 'cleanup' },
      ['pull_request'],
      ['contents: read', 'deployments: write', 'id-token: write'],
    ],
    [
      'credentials from an earlier auth step: no id-token for the action itself',
      { comment_on_pr: 'false', github_deployment: 'false' },
      ['push'],
      ['contents: read'],
    ],
    [
      'an expression may turn a channel on',
      { workload_identity_provider: null, comment_on_pr: null, github_deployment: 'false' },
      ['pull_request'],
      ['contents: read', 'id-token: write', 'pull-requests: write'],
    ],
  ])('%s', (_, args, events, expected) => {
    expect(scopes(args, new Set(events))).toEqual(expected);
  });
});

describe('the permission rule', () => {
  const check = (text: string) =>
    messages(permissionProblems({ file: 'w.yml', firstLine: 1, text }, context));
  const caller = (permissions: string, extraWith = '', on = 'pull_request') =>
    `on: ${on}\n${permissions}jobs:\n  release:\n    uses: stream-deploy/stream-deploy/.github/workflows/stream-deploy.yml@v1\n    with:\n      service: api\n      workload_identity_provider: ${WIF}\n${extraWith}`;

  it('refuses a caller without permissions: the default token has no id-token', () => {
    expect(check(caller(''))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^3: job 'release' calls stream-deploy\.yml, which needs 'id-token: write'.*'id-token: none' \(no `permissions:`/,
        ),
      ]),
    );
  });

  it('names each permission a channel needs that the caller does not grant', () => {
    const problems = check(caller('permissions:\n  contents: read\n  id-token: write\n'));
    expect(problems.map((p) => /needs '([^']+)'/.exec(p)?.[1]).sort()).toEqual([
      'deployments: write',
      'pull-requests: write',
      'statuses: write',
    ]);
  });

  it('accepts a caller that turns the reports off and grants only contents and id-token', () => {
    const off = '      comment_on_pr: false\n      github_deployment: false\n';
    expect(check(caller('permissions:\n  contents: read\n  id-token: write\n', off))).toEqual([]);
  });

  it('takes the job-level grant over the workflow-level one', () => {
    const text = caller('permissions: write-all\n').replace(
      '    uses:',
      '    permissions: { contents: read }\n    uses:',
    );
    expect(check(text).length).toBeGreaterThan(0);
  });

  it('applies GitHub rule to a called job that declares its permissions', () => {
    const text =
      'on: push\npermissions:\n  contents: read\njobs:\n  build:\n    uses: ./.github/workflows/build.yml\n';
    expect(check(text)).toEqual([
      expect.stringContaining("needs 'packages: write' for the called job 'build'"),
    ]);
  });

  it('checks a job that uses the action directly, cleanup with only what cleanup needs', () => {
    const job = (permissions: string) =>
      `on: pull_request\njobs:\n  cleanup:\n    runs-on: ubuntu-latest\n${permissions}    steps:\n      - uses: stream-deploy/stream-deploy@v1\n        with:\n          mode: cleanup\n          service: api\n          workload_identity_provider: ${WIF}\n`;
    expect(check(job('    permissions: { contents: read, id-token: write, deployments: write }\n'))).toEqual(
      [],
    );
    expect(check(job('    permissions: { contents: read, id-token: write }\n'))).toEqual([
      expect.stringContaining("needs 'deployments: write'"),
    ]);
  });

  it('leaves a called workflow whose job declares nothing to its callers', () => {
    expect(check(REUSABLE)).toEqual([]);
  });
});

describe('GitHub language service with our metadata', () => {
  const workflow = (text: string) => checkWorkflowFile({ file: 'w.yml', firstLine: 1, text }, context);
  const permissions =
    'permissions:\n  contents: read\n  id-token: write\n  pull-requests: write\n  deployments: write\n  statuses: write\n';

  it('reports an input the action does not have, on its line', async () => {
    const text = `on: pull_request\n${permissions}jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: stream-deploy/stream-deploy@v1\n        with:\n          service: api\n          servce: api\n`;
    expect(messages(await workflow(text))).toEqual(["15: Invalid action input 'servce'"]);
  });

  it('reports a required reusable workflow input left out, and an unknown one', async () => {
    const text = `on: pull_request\n${permissions}jobs:\n  a:\n    uses: stream-deploy/stream-deploy/.github/workflows/stream-deploy.yml@v1\n    with:\n      servce: api\n      workload_identity_provider: ${WIF}\n`;
    const problems = messages(await workflow(text)).join('\n');
    expect(problems).toMatch(/service/);
    expect(problems).toMatch(/servce/);
  });

  it('refuses another owner of stream-deploy (one owner name everywhere)', async () => {
    const text = `on: push\n${permissions}jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: OWNER/stream-deploy@v1\n        with:\n          service: api\n`;
    expect(messages(await workflow(text))).toEqual([
      expect.stringMatching(
        /^12: Unable to resolve action `OWNER\/stream-deploy@v1`.*; use stream-deploy\/stream-deploy/,
      ),
    ]);
  });

  it('accepts a complete, well-permitted caller', async () => {
    const text = `on: pull_request\n${permissions}jobs:\n  a:\n    uses: stream-deploy/stream-deploy/.github/workflows/stream-deploy.yml@v1\n    with:\n      service: api\n      workload_identity_provider: ${WIF}\n`;
    expect(await workflow(text)).toEqual([]);
  });
});

describe('checkMarkdown', () => {
  it('locates a snippet problem at its line in the markdown file', async () => {
    const markdown = [
      '# Use it', // 1
      '', // 2
      '```yaml', // 3
      'jobs:', // 4
      '  release:', // 5
      '    uses: stream-deploy/stream-deploy/.github/workflows/stream-deploy.yml@v1', // 6
      '    with:', // 7
      '      service: api', // 8
      `      workload_identity_provider: ${WIF}`, // 9
      '```', // 10
      '', // 11
      '```yaml', // 12
      '- uses: stream-deploy/stream-deploy@v1', // 13
      '  with:', // 14
      '    servce: api', // 15
      '```', // 16
      '<!-- check-workflows: skip (not a workflow) -->', // 17
      '```yaml', // 18
      'kind: Service', // 19
      '```', // 20
    ].join('\n');
    const problems = messages(await checkMarkdown('README.md', markdown, context));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5: job 'release' calls stream-deploy\.yml, which needs 'id-token: write'/),
        "15: Invalid action input 'servce'",
      ]),
    );
    expect(problems.some((p) => p.startsWith('19:'))).toBe(false);
  });

  it('lets a with: block show only some inputs, but not unknown ones', async () => {
    const ok = await checkMarkdown('a.md', '```yaml\nwith:\n  comment_on_pr: false\n```\n', context);
    const bad = await checkMarkdown('a.md', '```yaml\nwith:\n  coment_on_pr: false\n```\n', context);
    expect([messages(ok), messages(bad)]).toEqual([[], ["3: Invalid action input 'coment_on_pr'"]]);
  });
});

describe('this repository', () => {
  const repository = repositoryContext(root);
  const { workflows, markdown } = filesToCheck(root);

  it('checks the reusable workflow, the starters and the docs', () => {
    expect(workflows).toEqual(
      expect.arrayContaining(['.github/workflows/stream-deploy.yml', 'workflows/pr-preview.yml']),
    );
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'workflows/README.md']));
  });

  it.each(workflows)('%s passes GitHub language service and the permission rule', async (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(messages(await checkWorkflowFile({ file, firstLine: 1, text }, repository))).toEqual([]);
  });

  it.each(markdown)('every yaml snippet in %s passes them too', async (file) => {
    expect(messages(await checkMarkdown(file, readFileSync(join(root, file), 'utf8'), repository))).toEqual(
      [],
    );
  });
});
