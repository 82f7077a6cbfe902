// Long-running operations as google.longrunning.Operation JSON: metadata and response are Any values
// carrying `@type` (docs/platform.md "Wire format"); the client polls GET /v2/{name=projects/*/locations/*/operations/*}.
import { randomUUID } from 'node:crypto';
import { ApiError, RPC_CODE, type GoogleStatus } from './google-errors';
import { epochMs, type WireLog } from './wire-log';

export interface OperationRecord {
  name: string;
  /** Fully qualified proto type of metadata and response, e.g. google.cloud.run.v2.Service. */
  typeName: string;
  done: boolean;
  metadata: Record<string, unknown>;
  response?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export class Operations {
  private readonly byName = new Map<string, OperationRecord>();

  /** A new, unfinished operation in the resource's project and location. */
  start(
    project: string,
    location: string,
    typeName: string,
    metadata: Record<string, unknown>,
  ): OperationRecord {
    const op: OperationRecord = {
      name: `projects/${project}/locations/${location}/operations/${randomUUID()}`,
      typeName,
      done: false,
      metadata,
    };
    this.byName.set(op.name, op);
    return op;
  }

  succeed(op: OperationRecord, response: Record<string, unknown>): void {
    op.done = true;
    op.response = response;
    op.metadata = response;
  }

  fail(op: OperationRecord, status: GoogleStatus | number, message: string): void {
    op.done = true;
    op.error = { code: typeof status === 'number' ? status : RPC_CODE[status], message };
  }

  get(name: string): OperationRecord | undefined {
    return this.byName.get(name);
  }

  /** The operation as GET …/operations/{id} answers it; an unknown name is NOT_FOUND. */
  render(name: string): Record<string, unknown> {
    const op = this.get(name);
    if (!op) throw new ApiError('NOT_FOUND', `Operation '${name}' not found.`);
    const out: Record<string, unknown> = { name: op.name, metadata: op.metadata, done: op.done };
    if (op.response) out.response = op.response;
    if (op.error) out.error = { code: op.error.code, message: op.error.message, details: [] };
    return out;
  }
}

/** Operations that also note, in the wire log, when each one started and became done. */
export class TimedOperations extends Operations {
  private readonly byOperation = new Map<string, WireLog['operations'][number]>();

  constructor(private readonly timeline: WireLog['operations']) {
    super();
  }

  override start(
    project: string,
    location: string,
    typeName: string,
    metadata: Record<string, unknown>,
  ): OperationRecord {
    const op = super.start(project, location, typeName, metadata);
    const entry = { name: op.name, startedAt: epochMs() };
    this.timeline.push(entry);
    this.byOperation.set(op.name, entry);
    return op;
  }

  override succeed(op: OperationRecord, response: Record<string, unknown>): void {
    super.succeed(op, response);
    this.markDone(op);
  }

  override fail(op: OperationRecord, status: Parameters<Operations['fail']>[1], message: string): void {
    super.fail(op, status, message);
    this.markDone(op);
  }

  private markDone(op: OperationRecord): void {
    const entry = this.byOperation.get(op.name);
    if (entry && entry.doneAt === undefined) entry.doneAt = epochMs();
  }
}

/** A message as a google.protobuf.Any: its fields plus `@type`. */
export function anyOf(typeName: string, body: Record<string, unknown>): Record<string, unknown> {
  return { '@type': `type.googleapis.com/${typeName}`, ...body };
}
