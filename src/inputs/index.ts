// The action's inputs: reads every `with:` value once, validates it against Cloud Run's rules and returns
// one frozen DeployConfig, or throws one InputError listing every problem. Pure: the reader and the run
// context come in as arguments, so nothing here touches the environment or the network.
// The readers live one per section in this folder; this module assembles them into the DeployConfig.
import { GATE_USES, parseGates } from './gates';
import { type DeployConfig, PROFILE_DEFAULTS, type RunContext, type StreamingSettings } from '../core/config';
import { PROJECT_ID, REGION, SERVICE_ID } from '../core/name-rules';
import { InputError } from '../errors';
import { parseProvider, parseServiceAccount } from './auth';
import { ENV_DOC, MAX_ENV_VARS, parseEnvVars, parseLabels, parseSecrets } from './lists';
import { parseRevisionSuffix, parseTag, suffixInput } from './release';
import { parseSteps, parseStepWaits, ROLLOUTS, warnIgnoredRolloutInputs } from './rollout';
import { parseRegions } from './regions';
import {
  formatMiB,
  maximumMemoryFor,
  minimumCpuFor,
  minimumMemoryFor,
  parseBoolean,
  parseCpu,
  parseEnum,
  parseInteger,
  parseMemory,
  parseSeconds,
} from './scalars';
import {
  EXECUTION_ENVIRONMENTS,
  INGRESSES,
  type InputName,
  LINT_LEVELS,
  MIN_INSTANCES_LEVELS,
  MODES,
  Problems,
  PROFILES,
  PUBLIC_ACCESS_METHODS,
  show,
  UPDATE_STRATEGIES,
} from './shared';
import { JOB_INPUTS, parseBeforeRolloutJob, parseJob, warnReleaseOnly } from './job';
import { parseVpc } from './network';
import { type MetadataFiles, readMetadata } from './metadata';
import { parseHttpUrl, parseSmoke, parseSmokeUrl } from './smoke';
import {
  DIRECT_REGISTRY,
  findImageMistake,
  IMAGE_EXAMPLE,
  PROJECT_EXPECTED,
  REMOTE_REPOSITORY_DOC,
  SERVICE_EXPECTED,
  SUPPORTED_REGISTRIES,
} from './target';

export { INPUT_NAMES, type InputName } from './shared';
export type { MetadataFiles } from './metadata';

// Freezes a value and everything reachable from it, so no consumer can change the config.
function freezeDeep<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeDeep(child);
    Object.freeze(value);
  }
  return value;
}

// Each streaming setting and the input that overrides the profile's value for it.
const STREAMING_INPUTS: { key: keyof StreamingSettings; input: InputName }[] = [
  { key: 'timeoutSeconds', input: 'timeout' },
  { key: 'concurrency', input: 'concurrency' },
  { key: 'cpuAlwaysAllocated', input: 'cpu_always_allocated' },
  { key: 'minInstances', input: 'min_instances' },
  { key: 'sessionAffinity', input: 'session_affinity' },
  { key: 'useHttp2', input: 'use_http2' },
];

/** What `project_id` falls back to, in this order; google-github-actions/auth exports both with the project
 * it authenticated to (docs/platform.md "Project from google-github-actions/auth"). */
export const PROJECT_ENV = ['GOOGLE_CLOUD_PROJECT', 'CLOUDSDK_CORE_PROJECT'] as const;

// The project id from `project_id`, else from the first of PROJECT_ENV that is set.
function parseProject(
  given: string,
  env: Readonly<Record<string, string | undefined>>,
  problems: Problems,
): string | undefined {
  const fallback = PROJECT_ENV.find((name) => (env[name] ?? '').trim() !== '');
  const value = given !== '' ? given : fallback ? env[fallback]!.trim() : '';
  if (value === '') {
    problems.add(
      'project_id',
      `is required: it is not given, and neither \`${PROJECT_ENV[0]}\` nor \`${PROJECT_ENV[1]}\` is set`,
      `\`project_id\`, or google-github-actions/auth in an earlier step (it exports both variables): ${PROJECT_EXPECTED}`,
    );
    return undefined;
  }
  if (PROJECT_ID.test(value)) return value;
  const source = given !== '' ? '' : ` (from \`${fallback}\`, as \`project_id\` is not given)`;
  problems.add(
    'project_id',
    /^[0-9]+$/.test(value)
      ? `${show(value)}${source} is a project number, not a project id`
      : `${show(value)}${source} is not a project id`,
    PROJECT_EXPECTED,
  );
  return undefined;
}

// Reads and validates every input at once, so the user sees all problems in one run, not one per run; the
// context supplies the defaults of `tag` and `revision_suffix`, `env` the fallback of `project_id`. Inputs
// that are valid but ignored or risky in their combination come back as `inputWarnings`.
export function parseInputs(
  given: (name: InputName) => string,
  context: RunContext,
  env: Readonly<Record<string, string | undefined>> = {},
  files?: MetadataFiles,
): Readonly<DeployConfig> {
  const problems = new Problems();
  // A `metadata` service.yaml fills the inputs left empty (src/inputs/metadata.ts).
  const metadata = readMetadata(given, files, problems);
  const read = metadata.read;
  // Scalars are trimmed; env_vars and secrets are not, so values keep their bytes.
  const raw = (name: InputName) => read(name) ?? '';
  const text = (name: InputName) => raw(name).trim();
  const optional = <T>(name: InputName, parse: (value: string) => T | undefined): T | undefined => {
    const value = text(name);
    return value === '' ? undefined : parse(value);
  };
  const required = (
    name: InputName,
    expected: string,
    valid: (value: string) => boolean,
    explain?: (value: string) => string,
  ) => {
    const value = text(name);
    if (value === '') problems.add(name, 'is required', expected);
    else if (!valid(value)) problems.add(name, explain?.(value) ?? `${show(value)} is not valid`, expected);
    else return value;
    return undefined;
  };

  // Target.
  const projectId = parseProject(text('project_id'), env, problems);
  // `regions`/`waves` (src/inputs/regions.ts) name several regions instead; wave 1's first is `region`.
  const severalRegions = text('regions') !== '' || text('waves') !== '';
  const region = severalRegions
    ? undefined
    : required('region', 'a Cloud Run region such as `us-central1`: lowercase words and a number', (v) =>
        REGION.test(v),
      );
  // `cleanup` deploys nothing, so it reads no image: the same `with:` block can serve both jobs.
  const mode = text('mode') === '' ? 'release' : parseEnum('mode', text('mode'), MODES, problems);
  // `mode: job` deploys a Cloud Run job named by `job` (src/inputs/job.ts) and needs no service.
  const job = mode === 'job' ? parseJob(text, raw, problems) : undefined;
  // A release's pre-rollout job waits `execute_deadline` for its execution (src/run/before-rollout.ts).
  const beforeRolloutJob = mode === 'release' ? parseBeforeRolloutJob(text, problems) : undefined;
  if (mode !== 'release' && text('before_rollout_job') !== '')
    problems.warn('before_rollout_job', `is ignored: \`mode\` is \`${mode}\`, not \`release\``);
  if (mode === 'job') warnReleaseOnly(raw, problems);
  else
    for (const name of JOB_INPUTS)
      if (raw(name).trim() !== '' && !(name === 'execute_deadline' && beforeRolloutJob))
        problems.warn(name, `is ignored: \`mode\` is \`${mode ?? 'release'}\`, not \`job\``);
  const service =
    mode === 'job' && text('service') === ''
      ? (job?.name ?? '')
      : required('service', SERVICE_EXPECTED, (v) => SERVICE_ID.test(v));
  if (mode === 'cleanup' && text('image') !== '')
    problems.warn('image', 'is ignored: `mode` is `cleanup`, which deploys nothing');
  let imageMistake: string | undefined;
  const image =
    mode === 'cleanup'
      ? undefined
      : required(
          'image',
          `a full image reference such as ${IMAGE_EXAMPLE}`,
          (v) => (imageMistake = findImageMistake(v)) === undefined,
          () => imageMistake!,
        );
  const imageHost = image?.split('/')[0].toLowerCase();
  if (imageHost !== undefined && !DIRECT_REGISTRY.test(imageHost) && imageHost !== 'ghcr.io')
    problems.warn(
      'image',
      `\`${imageHost}\` is not a registry Cloud Run pulls from directly (${SUPPORTED_REGISTRIES}, or public \`ghcr.io\` images); unless it is, put an Artifact Registry remote repository in front of it (${REMOTE_REPOSITORY_DOC})`,
    );

  // Auth.
  const workloadIdentityProvider = optional('workload_identity_provider', (v) => parseProvider(v, problems));
  const serviceAccount = optional('service_account', (v) =>
    parseServiceAccount('service_account', v, problems),
  );

  // Streaming: the profile's defaults, then each setting the user gave.
  const profile = text('profile') === '' ? 'sse' : parseEnum('profile', text('profile'), PROFILES, problems);
  const overrides: Partial<StreamingSettings> = {
    timeoutSeconds: optional('timeout', (v) => parseSeconds('timeout', v, 1, 3600, problems)),
    concurrency: optional('concurrency', (v) => parseInteger('concurrency', v, 1, 1000, problems)),
    cpuAlwaysAllocated: optional('cpu_always_allocated', (v) =>
      parseBoolean('cpu_always_allocated', v, problems),
    ),
    minInstances: optional('min_instances', (v) => parseInteger('min_instances', v, 0, Infinity, problems)),
    sessionAffinity: optional('session_affinity', (v) => parseBoolean('session_affinity', v, problems)),
    useHttp2: optional('use_http2', (v) => parseBoolean('use_http2', v, problems)),
  };
  const minInstancesLevel =
    text('min_instances_level') === ''
      ? 'service'
      : parseEnum('min_instances_level', text('min_instances_level'), MIN_INSTANCES_LEVELS, problems);
  const maxInstances = optional('max_instances', (v) =>
    parseInteger('max_instances', v, 1, Infinity, problems),
  );
  const cpu = optional('cpu', (v) => parseCpu(v, problems));
  const memoryText = text('memory');
  const memoryMiB = optional('memory', (v) => parseMemory(v, problems));
  const executionEnvironment = optional('execution_environment', (v) =>
    parseEnum('execution_environment', v, EXECUTION_ENVIRONMENTS, problems),
  );
  const startupCpuBoost = optional('startup_cpu_boost', (v) =>
    parseBoolean('startup_cpu_boost', v, problems),
  );
  const port = optional('port', (v) => parseInteger('port', v, 1, 65535, problems));

  // A setting is known when the user gave it or a valid profile sets it; combinations are checked only
  // between known values, so an unknown profile does not cause a second round of guesses. Profile `none`
  // sets nothing: what the user did not name is the live service's, unknown here.
  const known: Partial<StreamingSettings> = {
    ...(profile && profile !== 'none' ? PROFILE_DEFAULTS[profile] : {}),
  };
  for (const { key } of STREAMING_INPUTS)
    if (overrides[key] !== undefined) Object.assign(known, { [key]: overrides[key] });
  const origin = (key: keyof StreamingSettings) => {
    const entry = STREAMING_INPUTS.find((s) => s.key === key)!;
    return overrides[key] !== undefined ? `\`${entry.input}\`` : `profile \`${profile}\``;
  };

  if (known.minInstances !== undefined && maxInstances !== undefined && known.minInstances > maxInstances)
    problems.add(
      overrides.minInstances !== undefined ? 'min_instances' : 'max_instances',
      `min_instances ${known.minInstances} (from ${origin('minInstances')}) is above max_instances ${maxInstances}`,
      '`min_instances` at most `max_instances`',
    );

  // Combinations Cloud Run refuses: cloud.google.com/run/docs/configuring/services/cpu ("If you use less than
  // 1 CPU, the following requirements are enforced") and .../services/memory-limits ("Required minimum CPUs").
  if (cpu && cpu.value < 1) {
    const fraction = `\`cpu: ${cpu.text}\` (less than 1 CPU)`;
    if (known.concurrency !== undefined && known.concurrency !== 1)
      problems.add(
        'cpu',
        `${fraction} needs concurrency 1, but concurrency is ${known.concurrency} (from ${origin('concurrency')})`,
        '`concurrency: 1` or `cpu` of 1 or more',
      );
    if (known.cpuAlwaysAllocated)
      problems.add(
        'cpu',
        `${fraction} needs CPU allocated only during requests, but CPU is always allocated (from ${origin('cpuAlwaysAllocated')})`,
        '`cpu_always_allocated: false` or `cpu` of 1 or more',
      );
    if (executionEnvironment === 'gen2')
      problems.add(
        'cpu',
        `${fraction} needs the first generation execution environment, but \`execution_environment\` is \`gen2\``,
        '`execution_environment: gen1` or `cpu` of 1 or more',
      );
  }
  if (cpu && memoryMiB !== undefined) {
    if (memoryMiB > maximumMemoryFor(cpu.value))
      problems.add(
        'memory',
        `\`${memoryText}\` needs at least ${minimumCpuFor(memoryMiB)} CPU, but \`cpu\` is \`${cpu.text}\``,
        `at most ${formatMiB(maximumMemoryFor(cpu.value))} with ${cpu.text} CPU, or more \`cpu\``,
      );
    else if (memoryMiB < minimumMemoryFor(cpu.value))
      problems.add(
        'memory',
        `\`${memoryText}\` is too little for ${cpu.text} CPU`,
        `at least ${formatMiB(minimumMemoryFor(cpu.value))} with ${cpu.text} CPU`,
      );
  }
  if (executionEnvironment === 'gen2' && memoryMiB !== undefined && memoryMiB < 512)
    problems.add(
      'memory',
      `\`${memoryText}\` is below the second generation's minimum`,
      'at least `512Mi` with `execution_environment: gen2`, or `gen1`',
    );

  // Service.
  const envVars = parseEnvVars(raw('env_vars'), problems);
  const { secrets, mounts: secretMounts } = parseSecrets(
    raw('secrets'),
    new Set(envVars.map((e) => e.name)),
    problems,
  );
  const strategy = (name: 'env_vars_update_strategy' | 'secrets_update_strategy') =>
    text(name) === '' ? 'merge' : parseEnum(name, text(name), UPDATE_STRATEGIES, problems);
  const envVarsUpdateStrategy = strategy('env_vars_update_strategy');
  const secretsUpdateStrategy = strategy('secrets_update_strategy');
  // deploy-cloudrun leaves the variables alone when `env_vars` is empty; so does this action, and says so.
  for (const [input, given, strategyName] of [
    ['env_vars', raw('env_vars'), 'env_vars_update_strategy'],
    ['secrets', raw('secrets'), 'secrets_update_strategy'],
  ] as const)
    if (
      (input === 'env_vars' ? envVarsUpdateStrategy : secretsUpdateStrategy) === 'overwrite' &&
      given.trim() === ''
    )
      problems.warn(
        strategyName,
        `\`overwrite\` is ignored while \`${input}\` is empty, so the live ${input === 'env_vars' ? 'variables stay' : 'secrets stay'}; write \`${input}: '{}'\` to remove them all`,
      );
  if (envVars.length + secrets.length > MAX_ENV_VARS)
    problems.add(
      envVars.length > MAX_ENV_VARS ? 'env_vars' : 'secrets',
      `sets ${envVars.length + secrets.length} environment variables (${envVars.length} in \`env_vars\`, ${secrets.length} in \`secrets\`); Cloud Run allows at most ${MAX_ENV_VARS} per container (${ENV_DOC})`,
      `at most ${MAX_ENV_VARS} in \`env_vars\` and \`secrets\` together`,
    );
  const labels = parseLabels(raw('labels'), problems);
  const runtimeServiceAccount = optional('runtime_service_account', (v) =>
    parseServiceAccount('runtime_service_account', v, problems),
  );
  const vpc = parseVpc(text, { project: projectId, region }, problems);
  // A connector is regional: with several regions, each region's is completed from the short name.
  if (severalRegions && vpc?.connector?.includes('/'))
    problems.add(
      'vpc_connector',
      `${show(vpc.connector)} names one region's connector`,
      'the short name of a connector that exists under that name in every region of `regions`',
    );
  const ingress = optional('ingress', (v) => parseEnum('ingress', v, INGRESSES, problems));
  const allowUnauthenticated = optional('allow_unauthenticated', (v) =>
    parseBoolean('allow_unauthenticated', v, problems),
  );
  const publicAccessMethod =
    text('public_access_method') === ''
      ? 'invoker-check'
      : parseEnum('public_access_method', text('public_access_method'), PUBLIC_ACCESS_METHODS, problems);
  // action.yml's default arrives as if given: only another value is worth a warning.
  if (publicAccessMethod === 'iam-binding' && allowUnauthenticated !== true)
    problems.warn(
      'public_access_method',
      `is ignored: it chooses how \`allow_unauthenticated: true\` makes the service public, and \`allow_unauthenticated\` is ${allowUnauthenticated === false ? '`false` (which clears both methods)' : 'not set'}`,
    );

  // Release.
  const tag =
    mode === 'cleanup' && context.pullRequest === undefined && text('tag') === ''
      ? problems.add(
          'tag',
          'is required with `mode: cleanup` outside a pull request event: the default `pr-<number>` needs the pull request',
          "the preview's tag, such as `pr-12`",
        )
      : parseTag(text('tag'), service, context, problems);
  const revisionSuffix = parseRevisionSuffix(suffixInput(text, problems), service, context, problems);
  const lintLevel =
    text('lint_level') === '' ? 'warn' : parseEnum('lint_level', text('lint_level'), LINT_LEVELS, problems);
  const deployTimeoutSeconds =
    text('deploy_timeout') === ''
      ? 900
      : parseSeconds('deploy_timeout', text('deploy_timeout'), 60, 3600, problems);

  // Smoke test.
  const smoke = parseSmoke(text, profile, problems);
  const smokeUrl = optional('smoke_url', (v) => parseSmokeUrl(v, problems));
  const keepFailedCandidate =
    optional('keep_failed_candidate', (v) => parseBoolean('keep_failed_candidate', v, problems)) ?? false;

  // Rollout.
  const rolloutText = text('rollout');
  const rollout =
    rolloutText === ''
      ? context.eventName === 'pull_request' || context.eventName === 'pull_request_target'
        ? 'candidate'
        : 'progressive'
      : parseEnum('rollout', rolloutText, ROLLOUTS, problems);
  const trafficSteps =
    rollout === 'immediate' ? [100] : parseSteps(text('traffic_steps') || '10,50,100', problems);
  const stepWaitMs = trafficSteps
    ? parseStepWaits(text('step_wait') || '60s', trafficSteps.length, problems)
    : undefined;
  const followLatest = optional('follow_latest', (v) => parseBoolean('follow_latest', v, problems)) ?? false;
  const keepReleaseTags =
    text('keep_release_tags') === ''
      ? 2
      : parseInteger('keep_release_tags', text('keep_release_tags'), 1, Infinity, problems);
  warnIgnoredRolloutInputs(text, rollout, trafficSteps, followLatest, problems);
  const regions = parseRegions(text, { mode, rollout, trafficSteps, stepWaitMs }, problems);
  const candidateCreatesService =
    optional('candidate_creates_service', (v) => parseBoolean('candidate_creates_service', v, problems)) ??
    false;
  if (keepFailedCandidate && smoke === undefined && text('smoke_protocol').toLowerCase() === 'none')
    problems.warn(
      'keep_failed_candidate',
      'is ignored: `smoke_protocol` is `none`, so no candidate can fail the smoke test',
    );
  // A preview's tagged candidate stays at 0 % after the run; with a revision-level floor it stays warm too.
  if (rollout === 'candidate' && minInstancesLevel === 'revision' && (known.minInstances ?? 0) > 0)
    problems.warn(
      'min_instances_level',
      `\`revision\` with \`rollout: candidate\`: the tagged candidate keeps ${known.minInstances} warm, billed instance(s) (from ${origin('minInstances')}) at 0 % until its tag is removed, and so does every other preview left tagged (https://cloud.google.com/run/docs/configuring/min-instances; docs/platform.md "Min instances and tags")`,
    );

  const gates = parseGates(text, problems);
  const loadBalancerUse =
    text('load_balancer') === ''
      ? 'auto'
      : parseEnum('load_balancer', text('load_balancer'), GATE_USES, problems);
  const loadBalancerUrl = optional('load_balancer_url', (v) =>
    parseHttpUrl('load_balancer_url', v, problems),
  );
  if (loadBalancerUse === 'off' && loadBalancerUrl !== undefined)
    problems.warn('load_balancer_url', 'is ignored: `load_balancer` is `off`');

  // Reporting: each part on unless turned off.
  const reporting = {
    githubToken: text('github_token'),
    comment: optional('comment_on_pr', (v) => parseBoolean('comment_on_pr', v, problems)) ?? true,
    commentOnCommit:
      optional('comment_on_commit', (v) => parseBoolean('comment_on_commit', v, problems)) ?? false,
    summary: optional('job_summary', (v) => parseBoolean('job_summary', v, problems)) ?? true,
    deployment: optional('github_deployment', (v) => parseBoolean('github_deployment', v, problems)) ?? true,
  };

  // docs/platform.md "Port name selects the protocol": an h2c port carries no WebSocket upgrade.
  const h2cOrigin = metadata.origins.use_http2;
  if (h2cOrigin && known.useHttp2 === true && (profile === 'websocket' || smoke?.protocol === 'websocket'))
    problems.addFinding(
      'metadata',
      `${h2cOrigin.split(' ')[0]}: the port is named \`h2c\` (end-to-end HTTP/2), but this service speaks WebSocket, whose upgrade needs HTTP/1.1; name the port \`http1\` (docs/platform.md "Port name selects the protocol")`,
    );

  if (problems.list.length > 0) throw new InputError(problems.sorted(), problems.warningLines());

  // Every value below is defined: a missing one would have added a problem above.
  const config: DeployConfig = {
    projectId: projectId!,
    region: regions ? regions.waves[0][0] : region!,
    ...(regions && { ...regions }),
    service: service!,
    image: image ?? '',
    mode: mode!,
    ...(workloadIdentityProvider !== undefined && { workloadIdentityProvider }),
    ...(serviceAccount !== undefined && { serviceAccount }),
    profile: profile!,
    streaming: { ...PROFILE_DEFAULTS[profile!], ...(known as StreamingSettings) },
    keepLive:
      profile === 'none'
        ? STREAMING_INPUTS.filter(({ key }) => overrides[key] === undefined).map((s) => s.key)
        : [],
    ...(maxInstances !== undefined && { maxInstances }),
    ...(cpu !== undefined && { cpu: cpu.text }),
    ...(memoryMiB !== undefined && { memory: memoryText }),
    ...(executionEnvironment !== undefined && { executionEnvironment }),
    ...(startupCpuBoost !== undefined && { startupCpuBoost }),
    ...(port !== undefined && { port }),
    envVars,
    // An empty input changes nothing whatever its strategy (warned above), as in deploy-cloudrun.
    envVarsUpdateStrategy: raw('env_vars').trim() === '' ? 'merge' : envVarsUpdateStrategy!,
    secrets,
    secretMounts,
    secretsUpdateStrategy: raw('secrets').trim() === '' ? 'merge' : secretsUpdateStrategy!,
    labels,
    ...(runtimeServiceAccount !== undefined && { runtimeServiceAccount }),
    ...(vpc !== undefined && { vpc }),
    ...(ingress !== undefined && { ingress }),
    ...(allowUnauthenticated !== undefined && { allowUnauthenticated }),
    publicAccessMethod: publicAccessMethod!,
    minInstancesLevel: minInstancesLevel!,
    minInstancesSet: overrides.minInstances !== undefined,
    tag: tag!,
    revisionSuffix: revisionSuffix!,
    lintLevel: lintLevel!,
    deployTimeoutSeconds: deployTimeoutSeconds!,
    ...(smoke !== undefined && { smoke }),
    ...(smokeUrl !== undefined && { smokeUrl }),
    keepFailedCandidate,
    rollout: rollout!,
    trafficSteps: trafficSteps!,
    stepWaitMs: stepWaitMs!,
    followLatest,
    keepReleaseTags: keepReleaseTags!,
    candidateCreatesService,
    gates: gates!,
    ...(job !== undefined && { job }),
    ...(beforeRolloutJob !== undefined && { beforeRolloutJob }),
    loadBalancer: { use: loadBalancerUse!, ...(loadBalancerUrl !== undefined && { url: loadBalancerUrl }) },
    reporting,
    ...(metadata.extras !== undefined && { metadata: metadata.extras }),
    origins: metadata.origins,
    inputWarnings: problems.warningLines(),
  };
  return freezeDeep(config);
}
