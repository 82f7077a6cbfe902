// What may be secret taken out of text before it is shown. Request dumps for debug logs: env values (a secret
// pasted into `env_vars` is the common case), and arguments that name a token, password, key or secret; names
// and secret references stay, so the dump still says what was sent. Any message: token-looking strings
// (`redactTokens`), for the action's errors and the CLI's alike. Pure.
import type { CloudRunService, Container } from './cloud-run-types';

/** What stands where a value was taken out. */
export const REDACTED = '(redacted)';

// An argument that carries a credential: `--api-key=…`, `TOKEN=…`, `password:…`.
const SECRET_ARG = /(token|secret|passw|api[-_]?key|credential|auth)/i;

function redactContainer(container: Container): Container {
  const out: Container = { ...container };
  if (container.env)
    out.env = container.env.map((e) => (e.value !== undefined ? { ...e, value: REDACTED } : { ...e }));
  for (const key of ['args', 'command'] as const) {
    const list = container[key];
    // `--token=…` itself, and the value after a bare `--token`.
    if (list)
      out[key] = list.map((arg, i) =>
        SECRET_ARG.test(arg) || (i > 0 && SECRET_ARG.test(list[i - 1]) && !list[i - 1].includes('='))
          ? REDACTED
          : arg,
      );
  }
  return out;
}

/** A copy of `service` safe for a debug log: every container's env values and credential-like arguments
 * replaced by `(redacted)`; the service given is not changed. */
export function redactService(service: CloudRunService): CloudRunService {
  return {
    ...service,
    template: {
      ...service.template,
      containers: service.template.containers.map(redactContainer),
    },
  };
}

/**
 * `text` with token-looking strings replaced by `(redacted)`, in case a library put one into a message:
 * Google access tokens (`ya29.…`), JWTs (ID tokens, OIDC and STS subject tokens), GitHub tokens, and the
 * value of a `Bearer` or `Basic` authorization.
 */
export function redactTokens(text: string): string {
  return text
    .replace(/\bya29\.[A-Za-z0-9._~+/=-]*/g, REDACTED)
    .replace(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED)
    .replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, REDACTED)
    .replace(/\b(Bearer|Basic)\s+(?!\(redacted\))[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`);
}
