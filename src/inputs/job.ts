// The job section (`mode: job`): the Cloud Run job to create or update, and whether and how to execute it
// (docs/platform.md "Cloud Run Jobs"). Every input checked, every problem added.
import type { JobSettings } from '../core/config';
import { JOB_ID } from '../core/name-rules';
import { parseServiceAccount } from './auth';
import { parseEnvVars } from './lists';
import { parseEnum, parseInteger, parseSeconds } from './scalars';
import { type InputName, type Problems, show } from './shared';

const EXECUTE = ['after-deploy', 'never'] as const;

/** The inputs of `mode: job`; given in another mode, each is warned about as ignored. */
export const JOB_INPUTS: readonly InputName[] = [
  'job',
  'task_count',
  'parallelism',
  'max_retries',
  'task_timeout',
  'args',
  'execute',
  'execute_args',
  'execute_env',
  'execute_task_count',
  'execute_timeout',
  'execute_deadline',
  'schedule',
  'schedule_time_zone',
  'schedule_service_account',
];

/**
 * The inputs only a service release reads, each with its action.yml default ('' for none): given with
 * another value in `mode: job`, each is warned about as ignored (__tests__/inputs/job.test.ts holds the
 * defaults to action.yml).
 */
export const RELEASE_ONLY_INPUTS: Readonly<Partial<Record<InputName, string>>> = {
  profile: 'sse',
  timeout: '',
  concurrency: '',
  cpu_always_allocated: '',
  min_instances: '',
  min_instances_level: 'service',
  max_instances: '',
  session_affinity: '',
  use_http2: '',
  startup_cpu_boost: '',
  port: '',
  ingress: '',
  allow_unauthenticated: '',
  public_access_method: 'invoker-check',
  tag: '',
  revision_suffix: '',
  suffix: '',
  lint_level: 'warn',
  smoke_protocol: '',
  smoke_path: '',
  health_path: '',
  health_timeout: '',
  smoke_duration: '',
  smoke_first_event_timeout: '',
  smoke_min_events: '',
  smoke_max_gap: '',
  smoke_connections: '',
  smoke_send: '',
  smoke_expect: '',
  smoke_url: '',
  smoke_reconnect: '',
  smoke_accept_encoding: '',
  keep_failed_candidate: 'false',
  rollout: '',
  traffic_steps: '',
  step_wait: '',
  follow_latest: 'false',
  keep_release_tags: '2',
  candidate_creates_service: 'false',
  panel_streams: '3',
  panel_probes: '5',
  panel_thresholds: '',
  metric_gate: 'auto',
  log_gate: 'auto',
  metrics_delay: '3m',
  gate_inconclusive: 'pass',
  gate_hold_cap: '5m',
  gate_failures: '1',
  load_balancer: 'auto',
  load_balancer_url: '',
};

/** Warns, in `mode: job`, about each service-release input given with a value other than its default. */
export function warnReleaseOnly(raw: (name: InputName) => string, problems: Problems): void {
  for (const [name, fallback] of Object.entries(RELEASE_ONLY_INPUTS) as Array<[InputName, string]>) {
    const value = raw(name).trim();
    if (value !== '' && value.toLowerCase() !== fallback)
      problems.warn(name, 'is ignored: `mode` is `job`, and only a service release reads it');
  }
}

/** Task timeout bounds: 1 s to 168 h (docs/platform.md "Cloud Run Jobs"). */
const MAX_TASK_TIMEOUT_S = 168 * 3600;
/** How long the step waits for an execution at most: a GitHub-hosted job's own limit is 6 h. */
const MAX_DEADLINE_S = 6 * 3600;

/** One argument per line, kept byte for byte (blank lines are arguments too, except a last empty one). */
function parseArgs(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The job settings, or undefined when any input was bad (each problem added). */
export function parseJob(
  text: (name: InputName) => string,
  raw: (name: InputName) => string,
  problems: Problems,
): JobSettings | undefined {
  const given = (name: InputName) => text(name) !== '';
  const name = text('job');
  if (name === '')
    problems.add('job', 'is required with `mode: job`', 'a Cloud Run job id such as `migrate`');
  else if (!JOB_ID.test(name))
    problems.add(
      'job',
      `${show(name)} is not a job id`,
      'lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters',
    );
  const int = (input: InputName, min: number, max: number) =>
    given(input) ? parseInteger(input, text(input), min, max, problems) : undefined;
  const taskCount = int('task_count', 1, 10_000);
  const parallelism = int('parallelism', 0, 10_000);
  const maxRetries = int('max_retries', 0, 10);
  const taskTimeoutSeconds = given('task_timeout')
    ? parseSeconds('task_timeout', text('task_timeout'), 1, MAX_TASK_TIMEOUT_S, problems)
    : undefined;
  const execute = given('execute')
    ? parseEnum('execute', text('execute'), EXECUTE, problems)
    : 'after-deploy';
  const overrideTasks = int('execute_task_count', 1, 10_000);
  const overrideTimeout = given('execute_timeout')
    ? parseSeconds('execute_timeout', text('execute_timeout'), 1, MAX_TASK_TIMEOUT_S, problems)
    : undefined;
  const overrideEnv =
    raw('execute_env').trim() === '' ? [] : parseEnvVars(raw('execute_env'), problems, 'execute_env');
  const deadline = given('execute_deadline')
    ? parseSeconds('execute_deadline', text('execute_deadline'), 10, MAX_DEADLINE_S, problems)
    : 3600;
  if (parallelism !== undefined && taskCount !== undefined && parallelism > taskCount)
    problems.add(
      'parallelism',
      `${parallelism} is above \`task_count\` ${taskCount}`,
      'at most `task_count` (0: as many as possible)',
    );
  const overrides = {
    ...(given('execute_args') && { args: parseArgs(raw('execute_args')) }),
    env: overrideEnv,
    ...(overrideTasks !== undefined && { taskCount: overrideTasks }),
    ...(overrideTimeout !== undefined && { timeoutSeconds: overrideTimeout }),
  };
  const overridden =
    overrides.args !== undefined ||
    overrideEnv.length > 0 ||
    overrideTasks !== undefined ||
    overrideTimeout !== undefined;
  if (execute === 'never' && overridden)
    problems.warn('execute', 'is `never`: the `execute_*` overrides are ignored');
  const schedule = parseSchedule(text, problems);
  if (name === '' || !JOB_ID.test(name) || !execute || deadline === undefined || schedule === null)
    return undefined;
  return {
    name,
    ...(taskCount !== undefined && { taskCount }),
    ...(parallelism !== undefined && { parallelism }),
    ...(maxRetries !== undefined && { maxRetries }),
    ...(taskTimeoutSeconds !== undefined && { taskTimeoutSeconds }),
    ...(given('args') && { args: parseArgs(raw('args')) }),
    execute,
    ...(overridden && { overrides }),
    deadlineSeconds: deadline,
    ...(schedule && { schedule }),
  };
}

/** Five unix-cron fields, each `*`, numbers, ranges, lists and steps, or a month or weekday name. */
const CRON_FIELD =
  /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

/** The schedule inputs: undefined when none is asked for, null when one was asked for badly. */
function parseSchedule(
  text: (name: InputName) => string,
  problems: Problems,
): JobSettings['schedule'] | null | undefined {
  const cron = text('schedule');
  if (cron === '') {
    for (const input of ['schedule_time_zone', 'schedule_service_account'] as const)
      if (text(input) !== '') problems.warn(input, 'is ignored: `schedule` is not given');
    return undefined;
  }
  let ok = true;
  const fields = cron.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
    problems.add(
      'schedule',
      `${show(cron)} is not a unix-cron schedule`,
      'five fields, e.g. `0 3 * * *` (03:00 every day)',
    );
    ok = false;
  }
  const timeZone = text('schedule_time_zone') || 'Etc/UTC';
  const zones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
  if (!zones.has(timeZone)) {
    problems.add(
      'schedule_time_zone',
      `${show(timeZone)} is not a time zone`,
      'a tz database name such as `Europe/Berlin` or `Etc/UTC`',
    );
    ok = false;
  }
  const account = text('schedule_service_account');
  let serviceAccount: string | undefined;
  if (account === '') {
    problems.add(
      'schedule_service_account',
      'is required with `schedule`',
      'the service account the scheduler runs the job as (it needs roles/run.invoker on the job), such as `scheduler@my-project.iam.gserviceaccount.com`',
    );
    ok = false;
  } else {
    serviceAccount = parseServiceAccount('schedule_service_account', account, problems);
    if (!serviceAccount) ok = false;
  }
  return ok ? { cron: fields.join(' '), timeZone, serviceAccount: serviceAccount! } : null;
}

/** `before_rollout_job`: a job run with the candidate's image before traffic moves; waits `execute_deadline`. */
export function parseBeforeRolloutJob(
  text: (name: InputName) => string,
  problems: Problems,
): { name: string; deadlineSeconds: number } | undefined {
  const name = text('before_rollout_job');
  if (name === '') return undefined;
  if (!JOB_ID.test(name)) {
    problems.add(
      'before_rollout_job',
      `${show(name)} is not a job id`,
      'the id of an existing Cloud Run job in the same project and region, such as `migrate`',
    );
    return undefined;
  }
  const deadline =
    text('execute_deadline') !== ''
      ? parseSeconds('execute_deadline', text('execute_deadline'), 10, MAX_DEADLINE_S, problems)
      : 3600;
  return deadline === undefined ? undefined : { name, deadlineSeconds: deadline };
}
