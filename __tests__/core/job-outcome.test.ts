// What an execution came to (src/core/job-outcome.ts), from the Execution and Tasks as the v2 API reads them.
import {
  describeExecution,
  executionStatus,
  type JobExecution,
  type JobTask,
} from '../../src/core/job-outcome';

const E = 'projects/p/locations/us-central1/jobs/shard/executions/shard-ab12c';
const done = (state: string, counts: Partial<JobExecution>): JobExecution => ({
  name: E,
  taskCount: 5,
  completionTime: '2026-12-02T10:00:00Z',
  conditions: [{ type: 'Completed', state }],
  ...counts,
});
const task = (index: number, result?: JobTask['lastAttemptResult'], retried = 0): JobTask => ({
  name: `${E}/tasks/shard-ab12c-task${index}`,
  index,
  retried,
  ...(result && { lastAttemptResult: result }),
});

test('running until the Completed condition is final', () => {
  expect(executionStatus({ name: E, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }] })).toBe(
    'running',
  );
  expect(executionStatus(done('CONDITION_SUCCEEDED', { succeededCount: 5 }))).toBe('succeeded');
  expect(executionStatus(done('CONDITION_FAILED', { succeededCount: 4, failedCount: 1 }))).toBe('failed');
  expect(executionStatus(done('CONDITION_FAILED', { succeededCount: 2, cancelledCount: 3 }))).toBe(
    'cancelled',
  );
});

test('a failed task by index, exit code, attempts and its log lines; a timed-out one by its signal', () => {
  const tasks = [
    task(0, { exitCode: 0 }),
    task(3, { exitCode: 1, status: { code: 2, message: 'The container exited with an error.' } }, 1),
    task(4, { termSignal: 15, status: { code: 4, message: 'Task timed out' } }, 0),
  ];
  const got = describeExecution(
    done('CONDITION_FAILED', {
      succeededCount: 3,
      failedCount: 2,
      retriedCount: 1,
      logUri: 'https://console/logs',
    }),
    tasks,
    new Map([[3, ['task 3 failed: no such table']]]),
  );
  expect(got).toMatchObject({
    status: 'failed',
    counts: { tasks: 5, succeeded: 3, failed: 2, retried: 1, cancelled: 0 },
    failedTasks: [
      { index: 3, exitCode: 1, attempts: 2, logLines: ['task 3 failed: no such table'] },
      { index: 4, signal: 15, attempts: 1, logLines: [] },
    ],
    logUri: 'https://console/logs',
  });
  expect(got.summary).toBe(
    'Execution shard-ab12c failed: 3 of 5 tasks succeeded, 2 failed, 1 retried (task 3: exit code 1 after 2 attempt(s); task 4: stopped by signal 15 after 1 attempt(s)).',
  );
});

test('a success that retried a task lists no failed task', () => {
  const got = describeExecution(done('CONDITION_SUCCEEDED', { succeededCount: 5, retriedCount: 1 }), [
    task(2, { exitCode: 0 }, 1),
  ]);
  expect(got.failedTasks).toEqual([]);
  expect(got.summary).toBe('Execution shard-ab12c succeeded: 5 of 5 tasks succeeded, 1 retried.');
});
