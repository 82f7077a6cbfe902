// `stream-deploy`: the smoke test from a terminal, for checking a service by hand or from other CI
// systems. Thin: arguments are parsed in core/smoke-args.ts, probes and judging are the action's own.
import { version } from '../package.json';
import { parseSmokeArgs, SMOKE_USAGE } from './core/smoke-args';

const USAGE = `Usage: stream-deploy <command> [options]

Ship streaming APIs (SSE, WebSocket, gRPC) to Google Cloud Run.

Commands:
  smoke          run the streaming smoke test against a URL (stream-deploy smoke --help)

Options:
  -h, --help     Show this help and exit
  -v, --version  Print the version and exit
`;

// Exit codes: 0 pass / success, 1 a failed or inconclusive smoke test, 2 a usage error.
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

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`stream-deploy: ${err.message}\n`);
    process.exitCode = 1;
  },
);
