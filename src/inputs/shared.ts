// Shared by the section readers: the input names, the enum values, the problem collector and the message
// helpers.
import type {
  ExecutionEnvironment,
  Ingress,
  LintLevel,
  MinInstancesLevel,
  Mode,
  Profile,
  PublicAccessMethod,
  UpdateStrategy,
} from '../core/config';
import type { InputProblem } from '../errors';

/** Every input the action reads, in action.yml order; action.yml declares exactly these (__tests__/action.test.ts). */
export const INPUT_NAMES = [
  'project_id',
  'region',
  'regions',
  'waves',
  'wave_traffic_steps',
  'wave_step_wait',
  'service',
  'image',
  'metadata',
  'mode',
  'workload_identity_provider',
  'service_account',
  'profile',
  'timeout',
  'concurrency',
  'cpu_always_allocated',
  'min_instances',
  'min_instances_level',
  'max_instances',
  'session_affinity',
  'use_http2',
  'cpu',
  'memory',
  'execution_environment',
  'startup_cpu_boost',
  'port',
  'env_vars',
  'env_vars_update_strategy',
  'secrets',
  'secrets_update_strategy',
  'labels',
  'runtime_service_account',
  'vpc_connector',
  'vpc_network',
  'vpc_subnet',
  'vpc_network_tags',
  'vpc_egress',
  'ingress',
  'allow_unauthenticated',
  'public_access_method',
  'tag',
  'revision_suffix',
  'suffix',
  'lint_level',
  'deploy_timeout',
  'smoke_protocol',
  'smoke_path',
  'health_path',
  'health_timeout',
  'smoke_duration',
  'smoke_first_event_timeout',
  'smoke_min_events',
  'smoke_max_gap',
  'smoke_connections',
  'smoke_send',
  'smoke_expect',
  'smoke_url',
  'smoke_reconnect',
  'smoke_accept_encoding',
  'keep_failed_candidate',
  'rollout',
  'traffic_steps',
  'step_wait',
  'follow_latest',
  'keep_release_tags',
  'candidate_creates_service',
  'panel_streams',
  'panel_probes',
  'panel_thresholds',
  'metric_gate',
  'log_gate',
  'metrics_delay',
  'gate_inconclusive',
  'gate_hold_cap',
  'gate_failures',
  'load_balancer',
  'load_balancer_url',
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
  'before_rollout_job',
  'github_token',
  'comment_on_pr',
  'comment_on_commit',
  'job_summary',
  'github_deployment',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export const MODES: readonly Mode[] = ['release', 'cleanup', 'job'];
export const PROFILES: readonly Profile[] = ['sse', 'websocket', 'grpc', 'http', 'none'];
export const UPDATE_STRATEGIES: readonly UpdateStrategy[] = ['merge', 'overwrite'];
export const EXECUTION_ENVIRONMENTS: readonly ExecutionEnvironment[] = ['gen1', 'gen2'];
export const INGRESSES: readonly Ingress[] = ['all', 'internal', 'internal-and-cloud-load-balancing', 'none'];
export const LINT_LEVELS: readonly LintLevel[] = ['warn', 'strict'];
export const PUBLIC_ACCESS_METHODS: readonly PublicAccessMethod[] = ['invoker-check', 'iam-binding'];
export const MIN_INSTANCES_LEVELS: readonly MinInstancesLevel[] = ['service', 'revision'];

// Problems and warnings in action.yml input order (stable within one input), so the report reads top to bottom.
function inInputOrder(list: readonly InputProblem[]): InputProblem[] {
  const rank = (p: InputProblem) => INPUT_NAMES.indexOf(p.input as InputName);
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

/** Collects problems, each reading "what is wrong; expected …", and warnings about accepted inputs. */
export class Problems {
  readonly list: InputProblem[] = [];
  readonly warnings: InputProblem[] = [];
  /** Inputs whose value came from the `metadata` file, with the line it came from. */
  origins: Readonly<Record<string, string>> = {};

  add(input: InputName, wrong: string, expected: string): void {
    const origin = this.origins[input];
    this.list.push({ input, message: `${origin ? `from ${origin}: ` : ''}${wrong}; expected ${expected}` });
  }

  /** A problem whose message already says what to do (a `metadata` finding at its `file:line`). */
  addFinding(input: InputName, message: string): void {
    this.list.push({ input, message });
  }

  warn(input: InputName, message: string): void {
    this.warnings.push({ input, message });
  }

  sorted(): InputProblem[] {
    return inInputOrder(this.list);
  }

  /** Each warning as `` `input_name`: … ``. */
  warningLines(): string[] {
    return inInputOrder(this.warnings).map((w) => `\`${w.input}\`: ${w.message}`);
  }
}

// Quotes a user's value for a message, shortened so a pasted blob cannot flood the log.
export function show(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

export function listOf(values: readonly string[]): string {
  return values.map((v) => `\`${v}\``).join(', ');
}
