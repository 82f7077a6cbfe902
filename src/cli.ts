// `stream-deploy`: the smoke test from a terminal, for checking a service by hand or from other CI
// systems, `rollback` to restore the baseline recorded by the last release, and `cleanup` to remove a
// closed pull request's preview. Thin: arguments are parsed in cli/*-args.ts against the action's own
// rules (core/name-rules.ts, core/smoke-rules.ts, core/durations.ts); probes, judging, recovery and cleanup
// are the action's own. Usage errors are one line on stderr; progress goes to stderr on a
// terminal only, so pipes get the result alone.
import { version } from '../package.json';
import { CLEANUP_USAGE, parseCleanupArgs } from './cli/cleanup-args';
import { findServiceRecord, parseRollbackArgs, ROLLBACK_USAGE } from './cli/rollback-args';
import { parsePlanArgs, PLAN_USAGE } from './cli/plan-args';
import { parseSmokeArgs, SMOKE_USAGE } from './cli/smoke-args';
import { redactTokens } from './core/request-redaction';
import { serviceName } from './core/service-plan';
import type { Log } from './ports';

const USAGE = `Usage: stream-deploy <command> [options]

Ship streaming APIs (SSE, WebSocket, gRPC) to Google Cloud Run.

Commands:
  smoke          run the streaming smoke test against a URL
  rollback       restore the traffic recorded before the last release
  cleanup        remove a closed pull request's preview (its tag and GitHub deployments)
  plan           translate a Knative service.yaml and lint it, offline
  help COMMAND   show a command's options (also: stream-deploy COMMAND --help)

Options:
  -h, --help     Show this help and exit
  -V, --version  Print the version and exit
`;

const COMMAND_USAGE: Record<string, string> = {
  smoke: SMOKE_USAGE,
  rollback: ROLLBACK_USAGE,
  cleanup: CLEANUP_USAGE,
  plan: PLAN_USAGE,
};

// One line per problem and a pointer to the help, never a page of it.
function usageError(command: string | undefined, problems: readonly string[]): number {
  const prefix = command ? `stream-deploy ${command}` : 'stream-deploy';
  for (const p of problems) process.stderr.write(`${prefix}: ${p}\n`);
  process.stderr.write(`Run \`stream-deploy help${command ? ` ${command}` : ''}\` for usage.\n`);
  return 2;
}

// Progress lines for a person at a terminal (stderr is a TTY); nothing in pipes and CI logs.
function progress(): ((line: string) => void) | undefined {
  return process.stderr.isTTY ? (line) => process.stderr.write(`${line}\n`) : undefined;
}

// Exit codes: 0 pass / success, 1 a failed or inconclusive smoke test or a failed rollback, 2 a usage error.
async function runCli(args: readonly string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === 'help') {
    const usage = COMMAND_USAGE[rest[0]];
    if (!usage || rest.length > 1)
      return usageError(undefined, [`no help for ${JSON.stringify(rest.join(' '))}`]);
    process.stdout.write(usage);
    return 0;
  }
  if (first === '--version' || first === '-V' || first === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (first === 'smoke') return runSmoke(rest);
  if (first === 'rollback') return runRollback(rest);
  if (first === 'cleanup') return runCleanup(rest);
  if (first === 'plan') return runPlan(rest);
  if (first === undefined) return usageError(undefined, ['missing command']);
  const kind = first.startsWith('-') ? 'option' : 'command';
  return usageError(undefined, [`unknown ${kind} ${JSON.stringify(first)}`]);
}

async function runSmoke(argv: readonly string[]): Promise<number> {
  const parsed = parseSmokeArgs(argv);
  if ('help' in parsed) {
    process.stdout.write(SMOKE_USAGE);
    return 0;
  }
  if ('problems' in parsed) return usageError('smoke', parsed.problems);
  for (const warning of parsed.warnings) process.stderr.write(`stream-deploy smoke: warning: ${warning}\n`);
  const { url, criteria, json, idTokenAudience } = parsed.args;
  let idToken: string | undefined;
  if (idTokenAudience) {
    const { createGoogleAuth, resolveEndpoints } = await import('./adapters/google-auth');
    const auth = createGoogleAuth({
      env: process.env,
      endpoints: resolveEndpoints(process.env).google,
      mask: () => undefined,
    });
    idToken = await auth.idToken(idTokenAudience);
  }
  const { createSmokeProbe } = await import('./adapters/smoke-probe');
  const { summarizeSmoke } = await import('./core/smoke');
  // The user named this URL, so it may receive the token they asked for. The probe logs one line per phase.
  const result = await createSmokeProbe({ allowedOrigins: [url], log: progress() }).run(
    url,
    criteria,
    idToken ? { idToken } : undefined,
  );
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ verdict: result.verdict, checks: result.checks, metrics: result.metrics })}\n`,
    );
  } else {
    for (const c of result.checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
    process.stdout.write(`${summarizeSmoke(result)}\n`);
  }
  return result.verdict === 'pass' ? 0 : 1;
}

// What `plan` says for the run context the action would read from GitHub: a local preview.
const PLAN_CONTEXT = {
  repository: 'local/plan',
  sha: '0000000000000000000000000000000000000000',
  eventName: 'workflow_dispatch',
  runId: '0',
  runAttempt: '1',
  actor: 'local',
};

async function runPlan(argv: readonly string[]): Promise<number> {
  const parsed = parsePlanArgs(argv);
  if ('help' in parsed) {
    process.stdout.write(PLAN_USAGE);
    return 0;
  }
  if ('problems' in parsed) return usageError('plan', parsed.problems);
  const { args } = parsed;
  const { readFileSync } = await import('node:fs');
  const { parseInputs } = await import('./inputs');
  const { translateKnative } = await import('./inputs/knative/translate');
  const { planCandidate } = await import('./core/service-plan');
  const { citeOrigins, lintStreaming } = await import('./core/streaming-lint');
  const { InputError } = await import('./errors');
  const given: Record<string, string | undefined> = {
    metadata: args.metadata,
    project_id: args.project,
    region: args.region,
    service: args.service,
    image: args.image,
    profile: args.profile,
  };
  let config;
  try {
    config = parseInputs((name) => given[name] ?? '', PLAN_CONTEXT, process.env, {
      readFile: (path) => readFileSync(path, 'utf8'),
      translate: translateKnative,
    });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    for (const p of error.problems)
      process.stderr.write(`stream-deploy plan: \`${p.input}\`: ${p.message}\n`);
    for (const line of error.warnings) process.stderr.write(`stream-deploy plan: warning: ${line}\n`);
    return 1;
  }
  if (config.job) {
    // A Job file (`kind: Job`) is `mode: job`: the v2 Job a first deploy would create; no streaming lint.
    const { planJob } = await import('./core/job-plan');
    const job = planJob(config, config.job, undefined, PLAN_CONTEXT).desired;
    if (args.json) process.stdout.write(`${JSON.stringify({ job, warnings: config.inputWarnings })}\n`);
    else {
      process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      for (const w of config.inputWarnings) process.stdout.write(`warning: ${w}\n`);
    }
    return 0;
  }
  const plan = planCandidate(config, undefined, PLAN_CONTEXT);
  const lint = citeOrigins(lintStreaming(config, plan.desired), config.origins);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ service: plan.desired, warnings: config.inputWarnings, lint })}\n`,
    );
  } else {
    process.stdout.write(`${JSON.stringify(plan.desired, null, 2)}\n`);
    for (const w of config.inputWarnings) process.stdout.write(`warning: ${w}\n`);
    for (const f of lint) process.stdout.write(`lint ${f.severity}: ${f.rule}: ${f.message}\n`);
    if (lint.length === 0) process.stdout.write('lint: no finding\n');
  }
  return lint.some((f) => f.severity === 'error') ? 1 : 0;
}

// Deadline for the one traffic update a rollback makes (the default LRO polling has none: docs/platform.md "LRO options").
const ROLLBACK_TIMEOUT_SECONDS = 300;

async function runRollback(argv: readonly string[]): Promise<number> {
  const parsed = parseRollbackArgs(argv);
  if ('help' in parsed) {
    process.stdout.write(ROLLBACK_USAGE);
    return 0;
  }
  if ('problems' in parsed) return usageError('rollback', parsed.problems);
  const { json, project, region, service } = parsed.args;
  const name = serviceName({ projectId: project, region, service });
  const { connectGoogleCloud } = await import('./adapters/google-cloud');
  const { recoverRelease } = await import('./recover');
  const log = stderrLog();
  // The credentials already in the environment (no Workload Identity provider); the emulator via
  // STREAM_DEPLOY_ENDPOINTS, as in the action.
  const { cloudRun } = await connectGoogleCloud({
    projectId: project,
    deployTimeoutSeconds: ROLLBACK_TIMEOUT_SECONDS,
    env: process.env,
    mask: () => undefined,
    log: (line) => log.info(line),
  });
  try {
    const found = findServiceRecord(await cloudRun.getService(name), name);
    const outcome =
      'record' in found
        ? await recoverRelease(found.record, 'rollback', { cloudRun, log })
        : { action: 'nothing' as const, ok: found.ok, traffic: undefined, message: found.message };
    if (json) {
      const { action, ok, traffic, message } = outcome;
      process.stdout.write(`${JSON.stringify({ action, ok, traffic: traffic ?? null, message })}\n`);
    } else (outcome.ok ? process.stdout : process.stderr).write(`${outcome.message}\n`);
    return outcome.ok ? 0 : 1;
  } finally {
    await cloudRun.close();
  }
}

async function runCleanup(argv: readonly string[]): Promise<number> {
  const parsed = parseCleanupArgs(argv);
  if ('help' in parsed) {
    process.stdout.write(CLEANUP_USAGE);
    return 0;
  }
  if ('problems' in parsed) return usageError('cleanup', parsed.problems);
  const { json, project, service, region, tag, pullRequest } = parsed.args;
  const env = process.env;
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  const repository = parsed.args.repo ?? env.GITHUB_REPOSITORY;
  const { connectGoogleCloud } = await import('./adapters/google-cloud');
  const { cleanup } = await import('./cleanup');
  const { describeCleanup } = await import('./core/cleanup-plan');
  const log = stderrLog();
  const { cloudRun } = await connectGoogleCloud({
    projectId: project,
    deployTimeoutSeconds: ROLLBACK_TIMEOUT_SECONDS,
    env,
    mask: () => undefined,
    log: (line) => log.info(line),
  });
  try {
    const deployments =
      token && repository && pullRequest !== undefined
        ? (await import('./adapters/github-deployments')).createGitHubDeployments({
            token,
            apiUrl: env.GITHUB_API_URL,
            repository,
          })
        : undefined;
    const outcome = await cleanup(
      {
        name: serviceName({ projectId: project, region, service }),
        project,
        service,
        region,
        tag,
        ...(pullRequest !== undefined && { pullRequest }),
      },
      {
        cloudRun,
        deployments,
        deploymentsSkipped: !token
          ? 'GITHUB_TOKEN (or GH_TOKEN) is not set'
          : !repository
            ? 'no --repo and GITHUB_REPOSITORY is not set'
            : undefined,
        // The orchestrator's own lines are the result; only progress goes to the terminal.
        log: { ...log, info: () => undefined, warning: () => undefined },
      },
    );
    if (json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
    else process.stdout.write(`${describeCleanup(outcome).join('\n')}\n`);
    return 0;
  } finally {
    await cloudRun.close();
  }
}

// Progress for people on stderr, so stdout carries only the result (and stays one JSON object with --json);
// on a terminal only, apart from warnings and errors.
function stderrLog(): Log {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const tty = progress();
  return {
    info: (line) => tty?.(line),
    warning: (line) => write(`warning: ${line}`),
    error: (line) => write(`error: ${line}`),
    debug: () => undefined,
    group: (title, fn) => {
      tty?.(title);
      return fn();
    },
  };
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    // No runner masks this output: token-looking strings are taken out, as in the action's messages.
    process.stderr.write(`stream-deploy: ${redactTokens(err.message)}\n`);
    process.exitCode = 1;
  },
);
