// Long-running operations as google.longrunning.Operation JSON: metadata and response are Any values
// carrying `@type` (FACTS.md, REST wire); the client polls GET /v2/{name=projects/*/locations/*/operations/*}.
import { randomUUID } from 'node:crypto';
import { RPC_CODE, type GoogleStatus } from './google-errors';

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
}
