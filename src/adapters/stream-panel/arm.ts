// One arm of the stream-health panel: N slots on one URL, each holding a stream, reconnecting it when the
// server or the network ends it, and the bookkeeping that turns what the streams saw into an ArmReading
// per window. Streams end at the request timeout (docs/platform.md "A stream is one request"), so every end is
// reconnected and counted, and judged against the baseline's rate. The clients (./clients.ts) report
// through StreamHooks; nothing here touches the network.
import { resumedAfter, type ArmReading, type PanelProtocol } from '../../core/stream-panel';

/** How a stream ended without the client closing it. */
export interface StreamEnd {
  /** Why, for the reading's error samples (never a token). */
  error?: string;
  /** WebSocket: the close code the server sent, `1006` when no close frame came. */
  closeCode?: number;
}

/** What a stream client tells its slot, as it happens. */
export interface StreamHooks {
  /** The handshake succeeded (200, 101, or gRPC response headers). */
  opened(): void;
  /** An event (with its SSE id, if any) or a heartbeat (SSE comment, WebSocket pong). */
  signal(kind: 'event' | 'heartbeat', id?: string): void;
  /** A WebSocket ping's round trip. */
  pingRtt(ms: number): void;
  /** gRPC: the Watch's latest status. */
  serving(serving: boolean): void;
  /** The stream failed to open, or ended before the client closed it. Called at most once. */
  ended(end: StreamEnd): void;
}

/** A stream in flight; `close()` resolves once its socket is released. */
export interface StreamHandle {
  close(): Promise<void>;
}

/** Opens one stream to the arm's URL; `lastEventId` is set when an SSE reconnect resumes. */
export type OpenStream = (hooks: StreamHooks, lastEventId?: string) => StreamHandle;

/** Error texts kept per window. */
const MAX_ERRORS = 3;

interface Slot {
  handle?: StreamHandle;
  requestAt: number;
  openAt?: number;
  lastSignalAt?: number;
  lastEventId?: string;
  firstEventId?: string;
  /** This connection is a reconnect: how to tell it worked. */
  resume?: { lastId?: string };
  serving?: boolean;
  timer?: NodeJS.Timeout;
}

type Counters = Omit<
  ArmReading,
  'protocol' | 'windowMs' | 'openNow' | 'streamSeconds' | 'notServing' | 'openGapsMs'
>;

function emptyCounters(): Counters {
  return {
    opened: 0,
    attempts: 0,
    probes: { watched: 0, endedEarly: 0 },
    firstEventMs: [],
    gapsMs: [],
    events: 0,
    heartbeats: 0,
    disconnects: 0,
    resumes: { tried: 0, ok: 0 },
    pingRttMs: [],
    closeCodes: {},
    openFailures: 0,
    errors: [],
  };
}

/** N streams on one URL, reconnected after `reconnectDelayMs`, read out one window at a time. */
export class PanelArm {
  private readonly slots: Slot[] = [];
  private counters = emptyCounters();
  private windowStart: number;
  private streamMs = 0;
  private closed = false;
  /** First-event probes in flight: closing one stops it. */
  private readonly probes = new Set<() => void>();

  constructor(
    private readonly protocol: PanelProtocol,
    private readonly open: OpenStream,
    private readonly reconnectDelayMs: number,
    private readonly now: () => number,
  ) {
    this.windowStart = now();
  }

  /** Opens one more stream (the session interleaves the arms' calls). */
  addStream(): void {
    const slot: Slot = { requestAt: this.now() };
    this.slots.push(slot);
    this.connect(slot);
  }

  /** What the arm saw since the previous window (or the start); the streams stay open. */
  window(): ArmReading {
    const at = this.now();
    let streamMs = this.streamMs;
    const openGapsMs: number[] = [];
    let notServing = 0;
    let openNow = 0;
    for (const slot of this.slots) {
      if (slot.openAt === undefined) continue;
      openNow++;
      streamMs += at - Math.max(slot.openAt, this.windowStart);
      if (this.protocol !== 'grpc') openGapsMs.push(at - (slot.lastSignalAt ?? slot.openAt));
      if (this.protocol === 'grpc' && slot.serving === false) notServing++;
    }
    const reading: ArmReading = {
      protocol: this.protocol,
      windowMs: at - this.windowStart,
      ...this.counters,
      openGapsMs,
      openNow,
      streamSeconds: streamMs / 1000,
      notServing,
    };
    this.counters = emptyCounters();
    this.streamMs = 0;
    this.windowStart = at;
    return reading;
  }

  /** Probes in flight now (the session skips a tick when they reach its cap). */
  get probesInFlight(): number {
    return this.probes.size;
  }

  /**
   * Opens a short-lived stream: it times its first signal (the held streams give a first event once, and
   * a median needs more, core/stream-panel.ts), then is watched for `holdMs` more and closed. One that
   * ends or fails before its first signal counts as a failed open; one the server ends during the hold
   * counts as ended early; one still silent at `timeoutMs` counts that long and is closed.
   */
  probe(timeoutMs: number, holdMs: number): void {
    if (this.closed) return;
    const requestAt = this.now();
    let phase: 'waiting' | 'holding' | 'done' = 'waiting';
    // Set once open() returns; a client that reports an end synchronously finds it unset.
    const held: { handle?: StreamHandle } = {};
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (phase === 'done') return;
      phase = 'done';
      clearTimeout(timer);
      this.probes.delete(finish);
      void held.handle?.close().catch(() => undefined);
    };
    const counts = () => phase !== 'done' && !this.closed;
    timer = setTimeout(() => {
      if (counts() && phase === 'waiting') {
        this.counters.attempts++;
        this.counters.firstEventMs.push(this.now() - requestAt);
      }
      finish();
    }, timeoutMs);
    this.probes.add(finish);
    held.handle = this.open({
      opened: () => undefined,
      signal: () => {
        if (!counts() || phase !== 'waiting') return;
        this.counters.attempts++;
        this.counters.firstEventMs.push(this.now() - requestAt);
        if (holdMs <= 0) return finish();
        phase = 'holding';
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (counts()) this.counters.probes.watched++;
          finish();
        }, holdMs);
      },
      pingRtt: () => undefined,
      serving: () => undefined,
      ended: (end) => {
        if (!counts()) return;
        if (phase === 'waiting') {
          this.counters.attempts++;
          this.counters.openFailures++;
        } else {
          this.counters.probes.watched++;
          this.counters.probes.endedEarly++;
        }
        if (end.error !== undefined && this.counters.errors.length < MAX_ERRORS)
          this.counters.errors.push(end.error);
        finish();
      },
    });
  }

  /** Closes every stream and cancels pending reconnects; what they saw stays for the last window. */
  async close(): Promise<void> {
    this.closed = true;
    for (const stop of [...this.probes]) stop();
    const closing: Array<Promise<void>> = [];
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      if (slot.handle) closing.push(slot.handle.close().catch(() => undefined));
    }
    await Promise.all(closing);
  }

  private connect(slot: Slot): void {
    slot.requestAt = this.now();
    slot.openAt = undefined;
    slot.lastSignalAt = undefined;
    slot.serving = undefined;
    if (slot.resume) this.counters.resumes.tried++;
    let live = true;
    const hooks: StreamHooks = {
      opened: () => {
        if (!live || this.closed) return;
        slot.openAt = this.now();
        this.counters.opened++;
        this.counters.attempts++;
        // WebSocket and gRPC, and SSE without ids: a reconnect works when it opens.
        if (slot.resume && slot.resume.lastId === undefined) this.resumed(slot, true);
      },
      signal: (kind, id) => {
        if (!live || this.closed || slot.openAt === undefined) return;
        const at = this.now();
        if (slot.lastSignalAt === undefined) this.counters.firstEventMs.push(at - slot.requestAt);
        else this.counters.gapsMs.push(at - slot.lastSignalAt);
        slot.lastSignalAt = at;
        if (kind === 'heartbeat') return void this.counters.heartbeats++;
        this.counters.events++;
        if (slot.resume?.lastId !== undefined)
          this.resumed(slot, resumedAfter(slot.resume.lastId, id, slot.firstEventId));
        if (id !== undefined) {
          slot.firstEventId ??= id;
          slot.lastEventId = id;
        }
      },
      pingRtt: (ms) => {
        if (live && !this.closed) this.counters.pingRttMs.push(ms);
      },
      serving: (serving) => {
        if (live && !this.closed) slot.serving = serving;
      },
      ended: (end) => {
        if (!live) return;
        live = false;
        if (!this.closed) this.ended(slot, end);
      },
    };
    slot.handle = this.open(hooks, slot.resume?.lastId);
  }

  private ended(slot: Slot, end: StreamEnd): void {
    const at = this.now();
    const counters = this.counters;
    const hadOpened = slot.openAt !== undefined;
    if (slot.openAt !== undefined) {
      counters.disconnects++;
      this.streamMs += at - Math.max(slot.openAt, this.windowStart);
      if (end.closeCode !== undefined) {
        const code = String(end.closeCode);
        counters.closeCodes[code] = (counters.closeCodes[code] ?? 0) + 1;
      }
    } else {
      counters.openFailures++;
      counters.attempts++;
    }
    if (end.error !== undefined && counters.errors.length < MAX_ERRORS) counters.errors.push(end.error);
    // A reconnect that ended before it proved itself did not work; the next try resumes again.
    const pending = slot.resume;
    if (pending) this.resumed(slot, false);
    if (hadOpened) slot.resume = { lastId: this.protocol === 'sse' ? slot.lastEventId : undefined };
    else if (pending) slot.resume = pending;
    slot.openAt = undefined;
    slot.handle = undefined;
    slot.timer = setTimeout(() => {
      if (!this.closed) this.connect(slot);
    }, this.reconnectDelayMs);
  }

  private resumed(slot: Slot, ok: boolean): void {
    if (ok) this.counters.resumes.ok++;
    slot.resume = undefined;
  }
}
