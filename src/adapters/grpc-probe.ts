// The gRPC probe: the standard health service, `grpc.health.v1.Health/Check` then the server-streaming
// `Watch`, over HTTP/2 with @grpc/grpc-js (TLS for https URLs, h2c for http), recorded as a
// GrpcObservation for src/core/grpc-verdict.ts. No generated code: the two tiny messages are encoded here.
import { performance } from 'node:perf_hooks';
import {
  Client,
  Metadata,
  credentials,
  status as GrpcStatus,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import type {
  GrpcCallError,
  GrpcCheckObservation,
  GrpcHealthStatus,
  GrpcObservation,
  GrpcWatchObservation,
} from '../core/grpc-verdict';
import type { Elapsed } from './http-probe';

export interface GrpcProbeOptions {
  /** How long Watch must stay open. */
  durationMs: number;
  /** Check (retried while nothing answers) and Watch's first status must each come within this. */
  deadlineMs: number;
  /** Sent as `authorization: Bearer …` metadata, only when given. */
  idToken?: string;
  /** The `service` asked about; `''` (the default) is the whole server. */
  service?: string;
  /** Milliseconds since the caller's common start; default: since this probe started. */
  elapsed?: Elapsed;
}

const CHECK_PATH = '/grpc.health.v1.Health/Check';
const WATCH_PATH = '/grpc.health.v1.Health/Watch';
const STATUS_NAMES: GrpcHealthStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
/** Pause between Check attempts while nothing answers (grpc-js fails fast while it backs off). */
const RETRY_PAUSE_MS = 250;
/** Slack past the planned end before the overall deadline cuts everything. */
const OVERALL_GRACE_MS = 2000;
/** Health answers are two bytes; anything bigger is not one (e.g. an HTML page read as a frame). */
const MAX_MESSAGE_BYTES = 4096;

// Never rejects: every failure is in the observation. Closes the channel before resolving.
export async function probeGrpc(url: string, options: GrpcProbeOptions): Promise<GrpcObservation> {
  const base = performance.now();
  const elapsed = options.elapsed ?? (() => performance.now() - base);
  const service = options.service ?? '';
  const startMs = elapsed();
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const tls = parsed?.protocol === 'https:';
  const target = parsed ? `${parsed.hostname}:${parsed.port || (tls ? '443' : '80')}` : url;
  const obs: GrpcObservation = {
    url,
    target,
    tls,
    service,
    startMs,
    check: { attempts: 0 },
    watch: { startMs, messages: [], stoppedMs: startMs, stayedOpen: false },
    deadlineHit: false,
    stoppedMs: startMs,
  };
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    const error: GrpcCallError = {
      code: GrpcStatus.INVALID_ARGUMENT,
      codeName: 'INVALID_ARGUMENT',
      details: `not an http(s) URL: ${url}`,
      answered: false,
    };
    obs.check.error = error;
    obs.watch.error = error;
    return obs;
  }

  const client = new Client(target, tls ? credentials.createSsl() : credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.enable_retries': 0,
  });
  const metadata = (): Metadata => {
    const md = new Metadata();
    if (options.idToken) md.set('authorization', `Bearer ${options.idToken}`);
    return md;
  };
  const cancels = new Set<() => void>();
  let overall: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    overall = setTimeout(
      () => {
        obs.deadlineHit = true;
        for (const cancel of cancels) cancel();
        resolve();
      },
      options.deadlineMs * 2 + options.durationMs + OVERALL_GRACE_MS,
    );
  });
  try {
    await Promise.race([
      (async () => {
        await runCheck(client, obs.check, { ...options, service }, metadata, elapsed, cancels);
        if (!obs.deadlineHit)
          await runWatch(client, obs.watch, { ...options, service }, metadata, elapsed, cancels);
      })(),
      cut,
    ]);
  } catch (error) {
    // Only a bug in the probe gets here; the observation still says what was seen.
    obs.watch.error ??= {
      code: GrpcStatus.INTERNAL,
      codeName: 'INTERNAL',
      details: `probe error: ${error instanceof Error ? error.message : String(error)}`,
      answered: false,
    };
  } finally {
    clearTimeout(overall);
    for (const cancel of cancels) cancel();
    client.close();
  }
  obs.stoppedMs = elapsed();
  if (obs.watch.stoppedMs < obs.watch.startMs) obs.watch.stoppedMs = obs.stoppedMs;
  return obs;
}

// Check, again every 250 ms while the call reaches nothing (a cold start), until the deadline.
async function runCheck(
  client: Client,
  check: GrpcCheckObservation,
  options: GrpcProbeOptions & { service: string },
  metadata: () => Metadata,
  elapsed: Elapsed,
  cancels: Set<() => void>,
): Promise<void> {
  const giveUpAt = elapsed() + options.deadlineMs;
  for (;;) {
    check.attempts += 1;
    const left = Math.max(1, giveUpAt - elapsed());
    const result = await new Promise<{ status?: GrpcHealthStatus; error?: GrpcCallError }>((resolve) => {
      let answered = false;
      const call = client.makeUnaryRequest(
        CHECK_PATH,
        encodeHealthCheckRequest,
        decodeHealthCheckResponse,
        { service: options.service },
        metadata(),
        { deadline: Date.now() + left },
        (error: ServiceError | null, value?: { status: number }) => {
          cancels.delete(cancel);
          if (error) resolve({ error: toCallError(error, answered, check) });
          else resolve({ status: statusName(value?.status ?? 0) });
        },
      );
      const cancel = (): void => call.cancel();
      cancels.add(cancel);
      call.on('metadata', (md: Metadata) => {
        answered = true;
        readHeaders(md, check);
      });
    });
    const before = check.error;
    check.atMs = elapsed();
    check.status = result.status;
    check.error = result.error;
    // A retry the deadline cut short says only that time ran out; the refusal before it says why nothing
    // answered. On a busy runner the last try can start with too little time to be refused again.
    if (
      result.error?.codeName === 'DEADLINE_EXCEEDED' &&
      !result.error.answered &&
      before?.codeName === 'UNAVAILABLE' &&
      !before.answered
    ) {
      check.error = {
        ...before,
        details: `${before.details} (try ${check.attempts} ran out of the deadline)`,
      };
      return;
    }
    const retry =
      result.error !== undefined &&
      !result.error.answered &&
      result.error.codeName === 'UNAVAILABLE' &&
      !/protocol error/i.test(result.error.details);
    if (!retry || elapsed() + RETRY_PAUSE_MS >= giveUpAt) return;
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

// Watch for `durationMs`, longer while the first status is still due; the client cancels at the end.
function runWatch(
  client: Client,
  watch: GrpcWatchObservation,
  options: GrpcProbeOptions & { service: string },
  metadata: () => Metadata,
  elapsed: Elapsed,
  cancels: Set<() => void>,
): Promise<void> {
  return new Promise((resolve) => {
    watch.startMs = elapsed();
    let done = false;
    let answered = false;
    const call: ClientReadableStream<{ status: number }> = client.makeServerStreamRequest(
      WATCH_PATH,
      encodeHealthCheckRequest,
      decodeHealthCheckResponse,
      { service: options.service },
      metadata(),
      {},
    );
    // `watched`: the probe's own timer said the watch is over. Node fires a timer by its loop clock, which can
    // read a fraction of a millisecond ahead of `elapsed()`: the timer, not a comparison of clocks, decides.
    const finish = (watched = false): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cancels.delete(cancel);
      watch.stoppedMs = elapsed();
      watch.stayedOpen =
        watch.endedMs === undefined &&
        watch.error === undefined &&
        (watched || watch.stoppedMs - watch.startMs >= options.durationMs);
      call.cancel();
      resolve();
    };
    const cancel = (): void => finish();
    cancels.add(cancel);
    // At `durationMs`; if no status came yet, keep waiting for it until `deadlineMs`.
    let timer = setTimeout(
      () => {
        if (watch.messages.length > 0 || options.deadlineMs <= options.durationMs) finish(true);
        else timer = setTimeout(() => finish(true), options.deadlineMs - options.durationMs);
      },
      Math.max(0, options.durationMs),
    );
    call.on('metadata', (md: Metadata) => {
      answered = true;
      readHeaders(md, watch);
    });
    call.on('data', (message: { status: number }) => {
      watch.messages.push({ atMs: elapsed(), status: statusName(message.status) });
    });
    call.on('error', (error: ServiceError) => {
      if (done) return;
      watch.endedMs = elapsed();
      watch.error = toCallError(error, answered, watch);
      finish();
    });
    call.on('end', () => {
      if (done) return;
      watch.endedMs ??= elapsed();
      finish();
    });
  });
}

function readHeaders(md: Metadata, into: { contentType?: string; revision?: string }): void {
  const type = md.get('content-type')[0];
  if (typeof type === 'string') into.contentType = type;
  const revision = md.get('x-revision')[0];
  if (typeof revision === 'string') into.revision = revision;
}

// A trailers-only answer (e.g. UNIMPLEMENTED) emits no headers event: its trailers show it was answered.
function toCallError(
  error: ServiceError,
  headersSeen: boolean,
  into: { contentType?: string; revision?: string },
): GrpcCallError {
  const details = (error.details ?? error.message).replace(/\s*Resolution note:\s*$/, '');
  const http = /Received HTTP status code (\d{3})/.exec(details);
  const trailers = error.metadata instanceof Metadata && error.metadata.get('content-type').length > 0;
  if (trailers && into.contentType === undefined) readHeaders(error.metadata, into);
  const out: GrpcCallError = {
    code: error.code,
    codeName: GrpcStatus[error.code] ?? `CODE_${error.code}`,
    details,
    answered: headersSeen || trailers || http !== null,
  };
  if (http) out.httpStatus = Number(http[1]);
  return out;
}

function statusName(value: number): GrpcHealthStatus {
  return STATUS_NAMES[value] ?? 'UNKNOWN';
}

// ---------------------------------------------------------------------------------------------------
// The messages, by hand: HealthCheckRequest {1: string service}, HealthCheckResponse {1: enum status}

/** HealthCheckRequest: field 1, length-delimited UTF-8; empty when `service` is `''` (proto3 default). */
export function encodeHealthCheckRequest(request: { service: string }): Buffer {
  if (request.service === '') return Buffer.alloc(0);
  const text = Buffer.from(request.service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...encodeVarint(text.length)]), text]);
}

/** HealthCheckResponse: field 1 as a varint; unknown fields skipped; a malformed message throws. */
export function decodeHealthCheckResponse(buffer: Buffer): { status: number } {
  let status = 0;
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= buffer.length || shift > 63) throw new Error('malformed HealthCheckResponse: bad varint');
      const byte = buffer[pos++];
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const skip = (n: number): void => {
    if (pos + n > buffer.length) throw new Error('malformed HealthCheckResponse: truncated field');
    pos += n;
  };
  while (pos < buffer.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) {
      const value = varint();
      if (field === 1) status = value;
    } else if (wireType === 1) skip(8);
    else if (wireType === 2) skip(varint());
    else if (wireType === 5) skip(4);
    else throw new Error(`malformed HealthCheckResponse: wire type ${wireType}`);
  }
  return { status };
}

function encodeVarint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}
