// What the router saw, kept for the Monitoring and Logging fakes: every request, stream and WebSocket is
// one record written when it ENDS (Cloud Run counts a stream as one request, its latency being its whole
// lifetime), the per-instance concurrency over time, and what the instances wrote or how they exited.

/** One finished request as the front end saw it. */
export interface RequestRecord {
  /** Full service name: projects/P/locations/L/services/S. */
  service: string;
  /** The revision it was routed to; undefined when the front end answered before choosing one. */
  revision?: string;
  method: string;
  /** The URL the client called (the local service or tag URL plus the path). */
  url: string;
  protocol: string;
  userAgent?: string;
  remoteIp?: string;
  /** HTTP status the client got: 101 for a WebSocket, the front end's own status for its pages. */
  status: number;
  /** Body bytes sent to the client (for a WebSocket: everything sent on the socket). */
  bytesSent: number;
  /** Epoch ms when the request arrived and when it ended (response done, stream cut, socket closed). */
  startMs: number;
  endMs: number;
  /** Order of arrival in the log (set by RequestLog), for stable insertIds. */
  seq?: number;
}

/** The in-flight count of one instance, sampled at every change. */
export interface ConcurrencySample {
  service: string;
  revision: string;
  instance: number;
  at: number;
  inFlight: number;
}

/** One line an instance wrote, or its exit, for the Logging fake. */
export interface InstanceOutput {
  service: string;
  revision: string;
  instance: number;
  at: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  /** For `system` lines: a severity the platform gives them. */
  severity?: string;
  /** Order of arrival in the log (set by RequestLog), for stable insertIds. */
  seq?: number;
}

/** One line a Cloud Run job task attempt wrote (or the platform's line about it), for the Logging fake. */
export interface TaskOutput {
  /** Full job name: projects/P/locations/L/jobs/J. */
  job: string;
  /** Short execution name. */
  execution: string;
  taskIndex: number;
  attempt: number;
  at: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  /** Order of arrival in the log (set by RequestLog), for stable insertIds. */
  seq?: number;
}

/** Where the router reports requests and concurrency (implemented by RequestLog). */
export interface RequestSink {
  record(record: RequestRecord): void;
  concurrency(sample: ConcurrencySample): void;
}

/** How many records of each kind are kept (oldest dropped first), so a long run stays bounded. */
const KEPT = 50_000;

/** The emulator's store of request records, concurrency samples and instance output. */
export class RequestLog implements RequestSink {
  readonly requests: RequestRecord[] = [];
  readonly samples: ConcurrencySample[] = [];
  readonly output: InstanceOutput[] = [];
  readonly taskOutput: TaskOutput[] = [];
  private seq = 0;

  /** Stores a finished request. */
  record(record: RequestRecord): void {
    push(this.requests, { ...record, seq: this.seq++ });
  }

  /** Stores an instance's in-flight count after a change. */
  concurrency(sample: ConcurrencySample): void {
    push(this.samples, sample);
  }

  /** Stores a job task's output line. */
  taskLine(line: TaskOutput): void {
    push(this.taskOutput, { ...line, seq: this.seq++ });
  }

  /** Stores an instance's output line or exit. */
  instanceOutput(line: InstanceOutput): void {
    push(this.output, { ...line, seq: this.seq++ });
  }
}

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > KEPT) list.splice(0, list.length - KEPT);
}

/**
 * One request on its way through the router: created when it arrives, ended once (the first end wins)
 * with the status the client got. Without a sink it records nothing.
 */
export class RequestTrace {
  revision?: string;
  bytes = 0;
  private ended = false;
  private readonly startMs = Date.now();

  constructor(
    private readonly sink: RequestSink | undefined,
    private readonly base: Pick<
      RequestRecord,
      'service' | 'method' | 'url' | 'protocol' | 'userAgent' | 'remoteIp'
    >,
  ) {}

  /** Records the request as finished now with `status`. */
  end(status: number): void {
    if (this.ended) return;
    this.ended = true;
    this.sink?.record({
      ...this.base,
      revision: this.revision,
      status,
      bytesSent: this.bytes,
      startMs: this.startMs,
      endMs: Date.now(),
    });
  }
}

/** `projects/P/locations/L/services/S` split into its parts. */
export function serviceParts(service: string): { project: string; location: string; serviceId: string } {
  const [, project = '', , location = '', , serviceId = ''] = service.split('/');
  return { project, location, serviceId };
}

/** An instance event as the data plane reports it (see instances.ts `InstanceEvent`). */
export type ObservedInstanceEvent = { service: string; revision: string; instance: number; at: number } & (
  | { kind: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'exited'; code: number | null; signal: string | null }
);

/**
 * Stores an instance event in `log`: output lines as they are, and an exit as the platform's line in
 * varlog/system (a process killed by a signal called no exit, so it writes none).
 */
export function recordInstanceEvent(log: RequestLog, event: ObservedInstanceEvent): void {
  const { service, revision, instance, at } = event;
  if (event.kind === 'output') {
    log.instanceOutput({ service, revision, instance, at, stream: event.stream, text: event.text });
  } else if (event.code !== null) {
    const text = `Container called exit(${event.code}).`;
    log.instanceOutput({ service, revision, instance, at, stream: 'system', text, severity: 'WARNING' });
  }
}
