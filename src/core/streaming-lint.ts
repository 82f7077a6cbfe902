// The streaming linter: checks the revision the planner will send against Cloud Run's streaming pitfalls
// before anything is deployed. Pure: it reads the planned service (the effective settings, which may come
// from the live service rather than the inputs) and the config (the profile's intent, auth, invoker policy).

import type { CloudRunService, IngressSetting } from './cloud-run-types';
import { CLOUD_RUN_DEFAULTS, type DeployConfig, type LintLevel, type Profile } from './config';
import { parseApiSeconds } from './durations';

export type Severity = 'error' | 'warning';

/** One pitfall found in the planned revision. */
export interface LintFinding {
  /** Stable kebab-case id, e.g. `timeout-too-short`. */
  rule: string;
  severity: Severity;
  /** What is wrong for this service, what it does to streams, users or cost, and the input to set. */
  message: string;
  /** Where the rule comes from: a docs/platform.md row and/or a cloud.google.com/run/docs URL. */
  source: string;
}

/** The settings the linter judges, with Cloud Run's defaults filled in for fields the plan leaves out. */
interface EffectiveSettings {
  /** undefined when the plan's Duration string cannot be read. */
  timeoutSeconds: number | undefined;
  concurrency: number;
  minInstances: number;
  sessionAffinity: boolean;
  http2: boolean;
  cpuAlwaysAllocated: boolean;
  ingress: IngressSetting;
  /** The service skips the invoker IAM check: anyone may call it. */
  invokerIamDisabled: boolean;
}

/** A stream shorter than this is cut so often that streaming barely works: stop the release. */
const TIMEOUT_ERROR_BELOW_SECONDS = 60;
/** Below this, every client is cut and reconnects more than four times an hour: worth a warning. */
const TIMEOUT_WARNING_BELOW_SECONDS = 900;
/** Above this many open streams per instance, one instance carries too many users. */
const CONCURRENCY_WARNING_ABOVE = 500;

// `none` changes nothing unnamed, but what it keeps is still checked: this action releases streaming APIs.
const STREAMING_PROFILES: ReadonlySet<Profile> = new Set(['sse', 'websocket', 'grpc', 'none']);

const DOCS = 'https://cloud.google.com/run/docs';

// Checks the planned revision against Cloud Run's streaming pitfalls; errors first, then warnings.
export function lintStreaming(config: DeployConfig, planned: CloudRunService): LintFinding[] {
  const effective = readEffectiveSettings(planned);
  const findings = RULES.flatMap((rule) => rule(config, effective));
  return [
    ...findings.filter((f) => f.severity === 'error'),
    ...findings.filter((f) => f.severity === 'warning'),
  ];
}

/**
 * Each finding that names an input the `metadata` file set (`` `timeout: 3600` ``, `` `concurrency` ``) also
 * names the file's line, where the fix goes (`origins`: DeployConfig's, input -> `service.yaml:22 (…)`).
 */
export function citeOrigins(
  findings: LintFinding[],
  origins: Readonly<Record<string, string>>,
): LintFinding[] {
  const entries = Object.entries(origins);
  if (entries.length === 0) return findings;
  return findings.map((f) => {
    const lines = entries
      .filter(([input]) => f.message.includes(`\`${input}\``) || f.message.includes(`\`${input}:`))
      .map(([input, origin]) => `\`${input}\` comes from ${origin}`);
    return lines.length === 0 ? f : { ...f, message: `${f.message} (${lines.join('; ')})` };
  });
}

// Errors always stop the release; warnings stop it only when the team chose `lint_level: strict`.
export function blockingFindings(findings: LintFinding[], lintLevel: LintLevel): LintFinding[] {
  return findings.filter((f) => f.severity === 'error' || lintLevel === 'strict');
}

type Rule = (config: DeployConfig, s: EffectiveSettings) => LintFinding[];

const RULES: readonly Rule[] = [
  checkTimeout,
  checkWebSocketHttp2,
  checkWebSocketAffinity,
  checkGrpcHttp2,
  checkCpuAllocation,
  checkMinInstances,
  checkConcurrency,
  checkIngress,
  checkSmokeIdentity,
];

function readEffectiveSettings(planned: CloudRunService): EffectiveSettings {
  const template = planned.template;
  // The ingress container is the one with a port (docs/platform.md "Startup probes and ports").
  const container = template.containers.find((c) => (c.ports ?? []).length > 0) ?? template.containers[0];
  const resources = container?.resources;
  return {
    // docs/platform.md "Request timeout": default 300 s.
    timeoutSeconds:
      template.timeout === undefined ? CLOUD_RUN_DEFAULTS.timeoutSeconds : parseApiSeconds(template.timeout),
    // docs/platform.md "Concurrency": 0 or absent means the default, 80.
    concurrency: template.maxInstanceRequestConcurrency || CLOUD_RUN_DEFAULTS.concurrency,
    // The warm floor at either level (docs/platform.md "Min instances and tags").
    minInstances: Math.max(
      Number(template.scaling?.minInstanceCount ?? 0),
      Number(planned.scaling?.minInstanceCount ?? 0),
    ),
    sessionAffinity: template.sessionAffinity === true,
    // docs/platform.md "Port name selects the protocol": the port named h2c; anything else is HTTP/1 to the container.
    http2: container?.ports?.[0]?.name === 'h2c',
    // docs/platform.md "CPU always allocated": with `resources` sent, always allocated unless cpuIdle is true. A
    // service created without `resources` gets CPU only during requests.
    cpuAlwaysAllocated: resources !== undefined && resources.cpuIdle !== true,
    ingress: planned.ingress ?? 'INGRESS_TRAFFIC_ALL',
    invokerIamDisabled: planned.invokerIamDisabled === true,
  };
}

function isStreaming(config: DeployConfig): boolean {
  return STREAMING_PROFILES.has(config.profile);
}

function describeDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = seconds / 60;
  return Number.isInteger(minutes)
    ? `${minutes} minutes`
    : `${seconds} s (about ${Math.round(minutes)} minutes)`;
}

// docs/platform.md "A stream is one request": it lives until it closes or the request timeout cuts it.
function checkTimeout(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  const seconds = s.timeoutSeconds;
  if (!isStreaming(config) || seconds === undefined || seconds >= TIMEOUT_WARNING_BELOW_SECONDS) return [];
  const severity: Severity = seconds < TIMEOUT_ERROR_BELOW_SECONDS ? 'error' : 'warning';
  const reconnects = Math.ceil(3600 / seconds);
  return [
    {
      rule: 'timeout-too-short',
      severity,
      message:
        `Service \`${config.service}\` (profile \`${config.profile}\`) has a request timeout of ${describeDuration(seconds)}. ` +
        `On Cloud Run a stream is one request, and Cloud Run cuts every stream at the request timeout ` +
        `(the 300 s default ends streams after 5 minutes): every client is disconnected at least ` +
        `${reconnects} times an hour, and each cut is a reconnect, a replay and a gap for users. ` +
        `Set \`timeout: 3600\` (the maximum) and make clients reconnect when the stream ends.`,
      source: `docs/platform.md "A stream is one request" and "Request timeout"; ${DOCS}/configuring/request-timeout`,
    },
  ];
}

// docs/platform.md "WebSockets advice": do NOT enable end-to-end HTTP/2 for WebSocket services.
function checkWebSocketHttp2(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  if (config.profile !== 'websocket' || !s.http2) return [];
  return [
    {
      rule: 'websocket-http2',
      severity: 'error',
      message:
        `Service \`${config.service}\` (profile \`websocket\`) would run with end-to-end HTTP/2 (port named \`h2c\`). ` +
        `Cloud Run's WebSocket guide says not to enable end-to-end HTTP/2 for WebSockets: the WebSocket ` +
        `upgrade is an HTTP/1.1 mechanism, and clients' upgrade handshakes can fail so no socket opens. ` +
        `Set \`use_http2: false\`.`,
      source: `docs/platform.md "WebSockets advice"; ${DOCS}/triggering/websockets`,
    },
  ];
}

// docs/platform.md "WebSockets advice": consider session affinity; docs/platform.md "Session affinity": best effort, cookie based.
function checkWebSocketAffinity(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  if (config.profile !== 'websocket' || s.sessionAffinity) return [];
  return [
    {
      rule: 'websocket-no-affinity',
      severity: 'warning',
      message:
        `Service \`${config.service}\` (profile \`websocket\`) has session affinity off. When a socket drops ` +
        `(request timeout, scale-in, deploy), the client's reconnect can land on any instance, so state the ` +
        `old instance kept for that client (subscriptions, buffers, rooms) is gone and the client starts over. ` +
        `Set \`session_affinity: true\` (best effort: keep shared state outside the instance as well).`,
      source: `docs/platform.md "WebSockets advice" and "Session affinity"; ${DOCS}/triggering/websockets; ${DOCS}/configuring/session-affinity`,
    },
  ];
}

// Streaming gRPC needs HTTP/2 to the container (cloud.google.com/run/docs/triggering/grpc).
function checkGrpcHttp2(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  if (config.profile !== 'grpc' || s.http2) return [];
  return [
    {
      rule: 'grpc-no-http2',
      severity: 'warning',
      message:
        `Service \`${config.service}\` (profile \`grpc\`) has no end-to-end HTTP/2 (its port is not named \`h2c\`). ` +
        `Cloud Run's gRPC guide requires HTTP/2 for streaming gRPC: client-streaming and bidirectional RPCs ` +
        `(and metadata) do not work over the HTTP/1 hop Cloud Run otherwise uses to reach the container; ` +
        `only simple unary calls may. Set \`use_http2: true\` and make the server accept h2c (cleartext HTTP/2).`,
      source: `docs/platform.md "Port name selects the protocol"; ${DOCS}/triggering/grpc; ${DOCS}/configuring/http2`,
    },
  ];
}

// docs/platform.md "CPU always allocated": without it an instance's CPU is throttled outside requests.
function checkCpuAllocation(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  if (!isStreaming(config) || s.cpuAlwaysAllocated) return [];
  return [
    {
      rule: 'cpu-throttled',
      severity: 'warning',
      message:
        `Service \`${config.service}\` (profile \`${config.profile}\`) gets CPU only while requests are in ` +
        `flight (request-based billing). An open stream is a request, so an instance has CPU while a stream ` +
        `is open; but everything outside a request is throttled to almost nothing: timers and heartbeats on ` +
        `an instance whose streams have all closed, upstream subscriptions that fill replay buffers between ` +
        `connections, and work after a stream ends (flushing, cleanup). Those stall or fire late, so ` +
        `reconnecting clients can miss events and upstream leases can expire. ` +
        `Set \`cpu_always_allocated: true\` (instance-based billing: you pay for idle instances too).`,
      source: `docs/platform.md "CPU always allocated"; ${DOCS}/configuring/billing-settings; ${DOCS}/tips/general`,
    },
  ];
}

// docs/platform.md "Cloud Run defaults": min instances default 0; a streaming service's clients reconnect in bursts.
function checkMinInstances(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  if (!isStreaming(config) || s.minInstances > 0) return [];
  return [
    {
      rule: 'min-instances-zero',
      severity: 'warning',
      message:
        `Service \`${config.service}\` (profile \`${config.profile}\`) keeps no instance warm (min instances 0). ` +
        `Streaming clients reconnect together, after a deploy, a scale-in or a request timeout cut, and with ` +
        `no warm instance that reconnect storm waits on cold starts, so users see stalled streams and ` +
        `retries. Set \`min_instances: 1\` or more (each warm instance is billed while idle).`,
      source: `docs/platform.md "Cloud Run defaults" and "A stream is one request"; ${DOCS}/configuring/min-instances`,
    },
  ];
}

// docs/platform.md "Concurrency": each open stream holds one request slot for its whole life.
function checkConcurrency(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  if (!isStreaming(config)) return [];
  if (s.concurrency === 1) {
    return [
      {
        rule: 'concurrency-one',
        severity: 'warning',
        message:
          `Service \`${config.service}\` (profile \`${config.profile}\`) allows 1 request per instance. Each ` +
          `open stream holds its request for its whole life, so every connected client needs an instance of ` +
          `its own: you pay for one instance per open stream (mostly idle, waiting to push), and ` +
          `\`max_instances\` caps how many clients can connect at all. Set \`concurrency\` to what one ` +
          `instance can carry, e.g. \`concurrency: 250\` for SSE or WebSocket.`,
        source: `docs/platform.md "Concurrency" and "A stream is one request"; ${DOCS}/about-concurrency`,
      },
    ];
  }
  if (s.concurrency > CONCURRENCY_WARNING_ABOVE) {
    return [
      {
        rule: 'concurrency-too-high',
        severity: 'warning',
        message:
          `Service \`${config.service}\` (profile \`${config.profile}\`) allows ${s.concurrency} requests per ` +
          `instance. Streams are long-lived, so one instance can hold that many users at once, sharing its ` +
          `memory and CPU: a slow or crashing instance, or a scale-in, drops all of them together and they ` +
          `reconnect in one burst, and Cloud Run adds instances only when the slots fill. ` +
          `Set \`concurrency\` to what one instance has been measured to carry, e.g. \`concurrency: 250\`.`,
        source: `docs/platform.md "Concurrency" and "A stream is one request"; ${DOCS}/about-concurrency`,
      },
    ];
  }
  return [];
}

/** Ingress settings that keep the GitHub runner out, described for the message. */
const RESTRICTED_INGRESS: Partial<Record<IngressSetting, string>> = {
  INGRESS_TRAFFIC_INTERNAL_ONLY: 'internal-only ingress',
  INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 'ingress limited to internal sources and Cloud Load Balancing',
  INGRESS_TRAFFIC_NONE: 'ingress closed to all traffic',
};

// The smoke test calls the candidate's tag URL (a run.app URL) from the GitHub runner, outside any VPC.
function checkIngress(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  const described = RESTRICTED_INGRESS[s.ingress];
  // Without a smoke test (`smoke_protocol: none`) or with `smoke_url` (e.g. a self-hosted runner inside the VPC
  // or a load balancer), nothing needs to reach the tag URL from the runner.
  if (described === undefined || !config.smoke || config.smokeUrl) return [];
  return [
    {
      rule: 'ingress-internal-smoke',
      severity: 'error',
      message:
        `Service \`${config.service}\` would have ${described} (\`${s.ingress}\`). The smoke test must reach ` +
        `the candidate's tag URL, a run.app address, from the GitHub runner, which is outside your VPC: ` +
        `Cloud Run refuses those requests (404), so the candidate could never pass its smoke test. ` +
        `Set \`ingress: all\` (and leave \`allow_unauthenticated\` unset or false so IAM still guards the service).`,
      source: `docs/platform.md "Ingress"; ${DOCS}/securing/ingress`,
    },
  ];
}

// docs/platform.md "Private smoke requests" and "Service account impersonation": the smoke test needs an ID token; direct WIF cannot mint one.
function checkSmokeIdentity(config: DeployConfig, s: EffectiveSettings): LintFinding[] {
  const directWif = config.workloadIdentityProvider !== undefined && config.serviceAccount === undefined;
  if (!directWif || config.allowUnauthenticated === true || s.invokerIamDisabled) return [];
  const explicit = config.allowUnauthenticated === false;
  return [
    {
      rule: 'private-no-idtoken',
      severity: explicit ? 'error' : 'warning',
      message:
        (explicit
          ? `Service \`${config.service}\` is private (\`allow_unauthenticated: false\`), `
          : `Service \`${config.service}\` may be private (\`allow_unauthenticated\` is unset, so its invoker ` +
            `policy is left as it is), `) +
        `so the smoke test needs an ID token for the service URL, and direct Workload Identity Federation ` +
        `(\`workload_identity_provider\` without \`service_account\`) cannot mint ID tokens: the smoke test ` +
        `would get 401/403 and the candidate could never pass. Set \`service_account\` to an account the ` +
        `provider may impersonate (roles/iam.workloadIdentityUser on it, and roles/run.invoker on the ` +
        `service), or set \`allow_unauthenticated: true\` if the service is meant to be public.`,
      source: `docs/platform.md "Service account impersonation" and "Private smoke requests"; ${DOCS}/authenticating/service-to-service`,
    },
  ];
}
