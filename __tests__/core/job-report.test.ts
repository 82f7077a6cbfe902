// The report of `mode: job` (src/core/job-report.ts): one body for the sticky comment and the job summary,
// a status line for the deployment, its own comment marker and GitHub environment, a payload cleanup never
// takes for a preview. Pure: cases in, text out.
import {
  endJobReport,
  jobReportMarker,
  renderJobComment,
  renderJobReport,
  renderJobStatusLine,
  renderJobSummary,
  TASK_ROWS,
  type JobReport,
} from '../../src/core/job-report';
import type { ExecutionOutcome, FailedTask } from '../../src/core/job-outcome';
import { reportMarker } from '../../src/core/report';
import { environmentName, jobDeploymentPayload, jobEnvironmentName } from '../../src/core/github-names';
import { previewDeployments, previewPayload } from '../../src/core/cleanup-plan';

const EXECUTION = 'projects/my-project/locations/us-central1/jobs/migrate/executions/migrate-ab12c';
const CONSOLE =
  'https://console.cloud.google.com/run/jobs/executions/details/us-central1/migrate-ab12c/tasks?project=my-project';

const base: JobReport = {
  project: 'my-project',
  region: 'us-central1',
  job: 'migrate',
  image: 'us-docker.pkg.dev/my-project/jobs/migrate:v1',
  phase: 'writing',
};

const failedTask = (index: number, extra: Partial<FailedTask> = {}): FailedTask => ({
  index,
  exitCode: 1,
  attempts: 2,
  logLines: [`task ${index} failed`],
  ...extra,
});

const outcome = (status: ExecutionOutcome['status'], failedTasks: FailedTask[] = []): ExecutionOutcome => ({
  status,
  counts: {
    tasks: 5,
    succeeded: 5 - failedTasks.length,
    failed: failedTasks.length,
    cancelled: 0,
    retried: failedTasks.length,
    running: 0,
  },
  failedTasks,
  logUri: CONSOLE,
  summary: `Execution migrate-ab12c ${status}: ${5 - failedTasks.length} of 5 tasks succeeded.`,
});

describe('the headline and facts of each phase', () => {
  test.each<[string, Partial<JobReport>, string[], string[]]>([
    [
      'running: the execution and its console link',
      { phase: 'running', execution: EXECUTION, logUri: CONSOLE },
      [
        '### Cloud Run job `migrate` in `us-central1`: running',
        '- **Execution:** `migrate-ab12c`',
        `- **Logs:** [the execution in the Cloud console](${CONSOLE})`,
      ],
      ['**Tasks:**', '| task |'],
    ],
    [
      'succeeded: the counts, no failed-task table',
      { phase: 'succeeded', execution: EXECUTION, outcome: outcome('succeeded') },
      [
        '### Cloud Run job `migrate` in `us-central1`: succeeded',
        '- **Tasks:** 5 succeeded, 0 failed, 0 cancelled, 0 retried, of 5',
      ],
      ['| task |', '**Outcome:**', '**Why:**'],
    ],
    [
      'failed: the counts, the outcome and each failed task',
      { phase: 'failed', execution: EXECUTION, outcome: outcome('failed', [failedTask(3)]) },
      [
        ': failed',
        '- **Tasks:** 4 succeeded, 1 failed, 0 cancelled, 1 retried, of 5',
        '- **Outcome:** Execution migrate-ab12c failed: 4 of 5 tasks succeeded.',
        '| task | exit code / signal | attempts | last ERROR lines |',
        '| 3 | 1 | 2 | task 3 failed |',
      ],
      ['**Why:**'],
    ],
    [
      'deployed: written, not executed',
      { phase: 'deployed' },
      ['### Cloud Run job `migrate` in `us-central1`: deployed (not executed)'],
      ['**Execution:**', '**Tasks:**'],
    ],
    [
      'failed before an execution: why, in a fenced block',
      { phase: 'failed', failure: 'Could not update job migrate: PERMISSION_DENIED' },
      [': failed', '**Why:**\n\n```text\nCould not update job migrate: PERMISSION_DENIED\n```'],
      ['**Tasks:**'],
    ],
    [
      'cancelled by the workflow: the note',
      {
        phase: 'cancelled',
        execution: EXECUTION,
        note: 'The workflow was cancelled; the post step cancelled it.',
      },
      [': cancelled', '- **Note:** The workflow was cancelled; the post step cancelled it.'],
      ['**Tasks:**'],
    ],
  ])('%s', (_name, patch, shown, absent) => {
    const text = renderJobSummary({ ...base, ...patch });
    for (const part of shown) expect(text).toContain(part);
    for (const part of absent) expect(text).not.toContain(part);
  });

  test('a signal is shown for a task stopped by one; the status message stands in for missing log lines', () => {
    const text = renderJobSummary({
      ...base,
      phase: 'failed',
      outcome: outcome('failed', [
        failedTask(0, { exitCode: undefined, signal: 9, logLines: [], message: 'Task timed out' }),
      ]),
    });
    expect(text).toContain('| 0 | signal 9 | 2 | Task timed out |');
  });
});

test('the comment and the summary are one body: the comment adds its marker and lists fewer tasks', () => {
  const many = Array.from({ length: 250 }, (_, i) => failedTask(i));
  const report: JobReport = {
    ...base,
    phase: 'failed',
    execution: EXECUTION,
    outcome: outcome('failed', many),
  };
  const comment = renderJobComment(report);
  const summary = renderJobSummary(report);
  expect(comment.startsWith(`${jobReportMarker('my-project', 'us-central1', 'migrate')}\n\n`)).toBe(true);
  expect(summary).not.toContain('<!--');
  const rows = (text: string) => text.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length;
  expect([rows(comment), rows(summary)]).toEqual([TASK_ROWS.comment, TASK_ROWS.summary]);
  expect(comment).toContain(
    `…and ${250 - TASK_ROWS.comment} more failed tasks: the \`tasks\` output lists every one.`,
  );
  expect(summary).toContain(`…and ${250 - TASK_ROWS.summary} more failed tasks`);
  // Under GitHub's comment limit with room to spare (docs/platform.md "Comment size limit").
  expect(new TextEncoder().encode(comment).length).toBeLessThan(60_000);
  // The head of both is the same text.
  const head = (text: string) => text.slice(text.indexOf('###'), text.indexOf('| task |'));
  expect(head(comment)).toBe(head(summary));
  expect(renderJobReport(report, 'summary')).toBe(summary);
});

test('log lines are inert: no token, no mention, no reference, no HTML, no row break', () => {
  const token = 'ya29.a0AfH6SMBx-secret-access-token';
  const ghToken = `ghp_${'A'.repeat(36)}`;
  const text = renderJobComment({
    ...base,
    phase: 'failed',
    failure: `boom ${ghToken}`,
    outcome: outcome('failed', [
      failedTask(1, {
        logLines: [
          `auth failed with ${token}`,
          'ping @octocat about #12 | <script>alert(1)</script>',
          `github token ${ghToken}`,
        ],
      }),
    ]),
  });
  expect(text).not.toContain(token);
  expect(text).not.toContain(ghToken);
  expect(text).not.toContain('<script>');
  expect(text).not.toMatch(/@octocat|#12/);
  const row = text.split('\n').find((l) => l.startsWith('| 1 |'))!;
  // Five cell borders; the log line's `|` is escaped.
  expect(row.match(/(?<!\\)\|/g)).toHaveLength(5);
  expect(row.split('<br>')).toHaveLength(3);
});

test('a log link that is not a plain http(s) URL is shown as code, never as a link', () => {
  const text = renderJobSummary({ ...base, phase: 'running', logUri: 'javascript:alert(1)' });
  expect(text).toContain('- **Logs:** `javascript:alert(1)`');
  expect(text).not.toContain('](javascript');
});

describe('the deployment status line', () => {
  test.each<[string, Partial<JobReport>, string]>([
    [
      'running',
      { phase: 'running', execution: EXECUTION },
      'Job migrate (us-central1) running - migrate-ab12c',
    ],
    [
      'failed',
      { phase: 'failed', execution: EXECUTION, outcome: outcome('failed', [failedTask(3)]) },
      'Job migrate (us-central1) failed - migrate-ab12c - 4 of 5 tasks succeeded, 1 failed',
    ],
    ['deployed', { phase: 'deployed' }, 'Job migrate (us-central1) deployed (not executed)'],
  ])('%s', (_name, patch, line) => {
    expect(renderJobStatusLine({ ...base, ...patch })).toBe(line);
  });

  test('at most 140 characters, one line, tokens redacted', () => {
    const line = renderJobStatusLine({
      ...base,
      phase: 'failed',
      failure: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl\n${'x'.repeat(300)}`,
    });
    expect(line.length).toBeLessThanOrEqual(140);
    expect(line).not.toContain('\n');
    expect(line).not.toContain('eyJhbGciOiJSUzI1NiJ9');
  });
});

test('endJobReport: the verdict becomes the phase, with the execution, its outcome and its console link', () => {
  const running: JobReport = { ...base, phase: 'running', execution: EXECUTION };
  const o = outcome('failed', [failedTask(3)]);
  expect(
    endJobReport(running, { verdict: 'failed', execution: EXECUTION, outcome: o, failure: 'x' }),
  ).toEqual({
    ...running,
    phase: 'failed',
    outcome: o,
    logUri: CONSOLE,
    failure: 'x',
  });
  expect(endJobReport(base, { verdict: 'deployed' })).toEqual({ ...base, phase: 'deployed' });
});

describe('a job and a service named alike never share a comment or an environment', () => {
  test.each([
    ['my-project', 'us-central1', 'migrate'],
    ['p', 'europe-west1', 'a--b>c'],
  ])('%s/%s/%s', (project, region, name) => {
    const job = jobReportMarker(project, region, name);
    const service = reportMarker(project, region, name);
    expect(job).not.toBe(service);
    // Comments are found by `includes(marker)`: neither marker may contain the other.
    expect(job.includes(service) || service.includes(job)).toBe(false);
    expect(job).toMatch(/^<!-- stream-deploy:job [^>]*? -->$/);
    expect(job.slice(4, -3)).not.toContain('--');
    const env = jobEnvironmentName(project, name, region);
    expect(env.toLowerCase()).not.toBe(environmentName(project, name, region, false).toLowerCase());
    expect(env.toLowerCase()).not.toBe(environmentName(project, name, region, true).toLowerCase());
  });

  test('the environment is named for the job and stays under GitHub’s 255 characters', () => {
    expect(jobEnvironmentName('my-project', 'migrate', 'us-central1')).toBe(
      'job: migrate (my-project/us-central1)',
    );
    const longest = jobEnvironmentName('p'.repeat(30), 'j'.repeat(63), 'northamerica-northeast2');
    expect(longest.length).toBeLessThanOrEqual(255);
  });
});

test("a job deployment's payload says it is a job and is never read as a preview", () => {
  const payload = jobDeploymentPayload('my-project', 'migrate', 'us-central1', 12);
  expect(payload).toEqual({
    stream_deploy: {
      kind: 'job',
      project: 'my-project',
      region: 'us-central1',
      job: 'migrate',
      pull_request: 12,
    },
  });
  expect(previewPayload(payload)).toBeUndefined();
  expect(previewPayload(JSON.stringify(payload))).toBeUndefined();
  const found = previewDeployments(
    [{ id: 1, environment: 'preview: migrate (my-project/us-central1)', payload }],
    {
      project: 'my-project',
      service: 'migrate',
      region: 'us-central1',
      pullRequest: 12,
    },
  );
  expect(found).toEqual([]);
});
