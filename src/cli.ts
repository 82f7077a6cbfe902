// `stream-deploy`: the smoke test from a terminal, for checking a service by hand or from other CI
// systems, and `rollback` to restore the baseline recorded by the last release. Thin: arguments are parsed
// in core/smoke-args.ts and core/rollback-args.ts, probes, judging and recovery are the action's own.
import { version } from '../package.json';
import { parseSmokeArgs, SMOKE_USAGE } from './core/smoke-args';
import {
  findServiceRecord,
  parseRollbackArgs,
  ROLLBACK_USAGE,
  serviceResourceName,
} from './core/rollback-args';
import type { Log } from './adapters/log';

const USAGE = `Usage: stream-deploy <command> [options]

Ship streaming APIs (SSE, WebSocket, gRPC) to Google Cloud Run.

Commands:
  smoke          run the streaming smoke test against a URL (stream-deploy smoke --help)
  rollback       restore the traffic recorded before the last release (stream-deploy rollback --help)

Options:
  -h, --help     Show this help and exit
  -v, --version  Print the version and exit
`;

// Exit codes: 0 pass / success, 1 a failed or inconclusive smoke test or a failed rollback, 2 a usage error.
async function runCli(args: readonly string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (first === 'smoke') return runSmoke(rest);
  if (first === 'rollback') return runRollback(rest);
  if (first === undefined) {
    process.stderr.write(`stream-deploy: missing command\n\n${USAGE}`);
    return 2;
  }
  const kind = first.startsWith('-') ? 'option' : 'command';
  process.stderr.write(`stream-deploy: unknown ${kind} "${first}"; run \`stream-deploy --help\` for usage\n`);
  return 2;
}

async function runSmoke(argv: readonly string[]): Promise<number> {
  const parsed = parseSmokeArgs(argv);
  if ('help' in parsed) {
    process.stdout.write(SMOKE_USAGE);
    return 0;
  }
  if ('problems' in parsed) {
    process.stderr.write(
      `stream-deploy smoke: ${parsed.problems.join('\nstream-deploy smoke: ')}\n\n${SMOKE_USAGE}`,
    );
    return 2;
  }
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
  const { summarizeSmoke } = await import('./core/smoke-verdict');
  // The user named this URL, so it may receive the token they asked for.
  const result = await createSmokeProbe({ allowedOrigins: [url] }).run(
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

// Deadline for the one traffic update a rollback makes (the default LRO polling has none: FACTS.md).
const ROLLBACK_TIMEOUT_SECONDS = 300;

async function runRollback(argv: readonly string[]): Promise<number> {
  const parsed = parseRollbackArgs(argv);
  if ('help' in parsed) {
    process.stdout.write(ROLLBACK_USAGE);
    return 0;
  }
  if ('problems' in parsed) {
    process.stderr.write(
      `stream-deploy rollback: ${parsed.problems.join('\nstream-deploy rollback: ')}\n\n${ROLLBACK_USAGE}`,
    );
    return 2;
  }
  const { json, project } = parsed.args;
  const name = serviceResourceName(parsed.args);
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

// Progress for people on stderr, so stdout carries only the result (and stays one JSON object with --json).
function stderrLog(): Log {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return {
    info: write,
    warning: (line) => write(`warning: ${line}`),
    error: (line) => write(`error: ${line}`),
    debug: () => undefined,
    group: (title, fn) => {
      write(title);
      return fn();
    },
  };
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`stream-deploy: ${err.message}\n`);
    process.exitCode = 1;
  },
);
