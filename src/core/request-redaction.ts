// Request dumps for debug logs, with what may be secret taken out: env values (a secret pasted into
// `env_vars` is the common case), and arguments that name a token, password, key or secret. Names and
// secret references stay, so the dump still says what was sent. Pure.
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
