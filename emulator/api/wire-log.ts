// What the Admin API fake saw on the wire: calls, refused bodies, revision starts and operation timelines,
// for the tests and the benchmarks (bench/release-bench.ts). Served at GET /emulator/calls.

/** What the emulator saw on the wire, for tests and the benchmarks (bench/release-bench.ts). */
export interface WireLog {
  /** API calls counted by method. */
  calls: Record<string, number>;
  /** Request bodies the protos refused. */
  protoProblems: string[];
  /** Every API call in arrival order; `at` is epoch ms with sub-ms precision (see epochMs). */
  log: Array<{
    method: string;
    at: number;
    name: string;
    /** services.update: the `updateMask` paths as sent, or null when the request had none. */
    updateMask?: string[] | null;
    /** services.getIamPolicy: `options.requestedPolicyVersion` when the request gave one. */
    requestedPolicyVersion?: number;
  }>;
  /** Each revision start, from asking the data plane to its answer (ready or failed). */
  revisionStarts: Array<{ revision: string; startedAt: number; endedAt: number; ms: number; ready: boolean }>;
  /** Each long-running operation: when it was started and when it became done. */
  operations: Array<{ name: string; startedAt: number; doneAt?: number }>;
  /** Every request the API refused, in arrival order (so a suite can prove, say, that no update ever met a 409). */
  refusals: Array<{ at: number; request: string; status: string; message: string }>;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across the processes of one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
