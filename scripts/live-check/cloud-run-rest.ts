// The Cloud Run Admin API v2 over REST JSON, through an auth client's `request()`: the same calls reach
// run.googleapis.com or the local emulator. Answers come back raw (status + JSON) so that a check can
// record what Google said instead of what a client library made of it; operations are polled here, with
// a deadline (docs/platform.md "LRO options": the default LRO polling has none).
import type { AuthClient } from 'google-auth-library';

/** Google's production base URL for the Admin API v2. */
export const GOOGLE_RUN_BASE = 'https://run.googleapis.com/v2/';

export type Json = Record<string, unknown>;

/** One HTTP answer of the API: status and parsed JSON body (an `{ error }` body on failure). */
export interface ApiAnswer {
  status: number;
  body: Json;
}

/** A google.longrunning.Operation as JSON. */
export interface Operation {
  name: string;
  done?: boolean;
  error?: { code: number; message: string };
  response?: Json;
}

/** A non-2xx answer where the caller expected success; carries Google's status and message. */
export class ApiCallError extends Error {
  constructor(
    readonly call: string,
    readonly answer: ApiAnswer,
  ) {
    super(`${call}: HTTP ${answer.status} ${describeError(answer)}`);
  }
}

/** `STATUS: message` of an error answer, e.g. `ABORTED: The etag provided …`. */
export function describeError(answer: ApiAnswer): string {
  const error = (answer.body.error ?? {}) as { status?: string; message?: string };
  return (
    [error.status, error.message].filter(Boolean).join(': ') || JSON.stringify(answer.body).slice(0, 200)
  );
}

/** One authorised JSON call to any Google API; never throws for an HTTP error status. */
export async function requestJson(
  authClient: Pick<AuthClient, 'request'>,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  body?: Json,
): Promise<ApiAnswer> {
  const res = await authClient.request<Json | string>({
    url,
    method,
    data: body,
    responseType: 'text',
    validateStatus: () => true,
    retry: false,
  });
  const text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? {});
  let parsed: Json;
  try {
    parsed = text ? (JSON.parse(text) as Json) : {};
  } catch {
    parsed = { error: { message: text.slice(0, 300) } };
  }
  return { status: res.status, body: parsed };
}

export interface CloudRunRestOptions {
  /** Authorizes every call (ADC in Google mode, the emulator's WIF client in emulator mode). */
  authClient: Pick<AuthClient, 'request'>;
  /** `https://run.googleapis.com/v2/` or `http://127.0.0.1:PORT/v2/`. */
  base: string;
  /** How often operations are polled. */
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export class CloudRunRest {
  constructor(private readonly opts: CloudRunRestOptions) {}

  /** One call; never throws for an HTTP error status (the answer is the observation). */
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: Json): Promise<ApiAnswer> {
    return requestJson(this.opts.authClient, method, new URL(path, this.opts.base).toString(), body);
  }

  /** Like `call`, but a non-2xx answer throws ApiCallError. */
  async must(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: Json): Promise<Json> {
    const answer = await this.call(method, path, body);
    if (answer.status < 200 || answer.status > 299) throw new ApiCallError(`${method} ${path}`, answer);
    return answer.body;
  }

  getService(name: string): Promise<Json> {
    return this.must('GET', name);
  }

  listServices(parent: string): Promise<Json[]> {
    return this.must('GET', `${parent}/services?pageSize=500`).then((b) => (b.services as Json[]) ?? []);
  }

  /** POST …/services?serviceId=ID: the raw answer (an Operation on 200). */
  createService(parent: string, id: string, service: Json): Promise<ApiAnswer> {
    return this.call('POST', `${parent}/services?serviceId=${encodeURIComponent(id)}`, service);
  }

  /** PATCH the service; without `updateMask` the body is the whole desired state (docs/platform.md "No mask = full replacement"). */
  updateService(name: string, service: Json, updateMask?: string[]): Promise<ApiAnswer> {
    const query = updateMask ? `?updateMask=${encodeURIComponent(updateMask.join(','))}` : '';
    return this.call('PATCH', `${name}${query}`, service);
  }

  deleteService(name: string): Promise<ApiAnswer> {
    return this.call('DELETE', name);
  }

  getIamPolicy(name: string): Promise<Json> {
    return this.must('GET', `${name}:getIamPolicy`);
  }

  setIamPolicy(name: string, policy: Json): Promise<ApiAnswer> {
    return this.call('POST', `${name}:setIamPolicy`, { policy });
  }

  /** Polls an operation until it is done or `timeoutMs` passes; a done operation may carry an `error`. */
  async awaitOperation(op: Operation, timeoutMs: number, signal?: AbortSignal): Promise<Operation> {
    const deadline = this.opts.now() + timeoutMs;
    let current = op;
    while (!current.done) {
      signal?.throwIfAborted();
      if (this.opts.now() > deadline)
        throw new Error(`operation ${op.name} not done within ${Math.round(timeoutMs / 1000)} s`);
      await this.opts.sleep(this.opts.pollMs);
      current = (await this.must('GET', op.name)) as unknown as Operation;
    }
    return current;
  }
}
