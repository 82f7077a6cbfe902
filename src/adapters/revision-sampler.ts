// Samples which revision the service URL sends new requests to, by the `X-Revision` header the app
// sets (when it sets one): one fresh connection per request, so each is a new routing decision.
import http from 'node:http';
import https from 'node:https';

export interface RevisionSample {
  total: number;
  candidate: number;
  /** Answers without an `X-Revision` header (the app does not say which revision served it). */
  unidentified: number;
  /** Requests that failed or answered non-2xx. */
  errors: number;
}

/** Each request is given up after this long (its headers never came), and counted as failed. */
const REQUEST_DEADLINE_MS = 5000;

/**
 * GETs `url + path` `count` times (a few at once) and counts the revisions that answered. Only the status
 * and headers are read: a streaming path would otherwise hold the gate for the stream's life. Every request
 * has a hard deadline, so the whole sample ends within about `count / 5` deadlines at worst.
 */
export async function sampleRevisions(
  url: string,
  path: string,
  count: number,
  candidate: string,
  idToken?: string,
  deadlineMs = REQUEST_DEADLINE_MS,
): Promise<RevisionSample> {
  const sample: RevisionSample = { total: 0, candidate: 0, unidentified: 0, errors: 0 };
  const target = new URL(path, url);
  const one = () =>
    new Promise<void>((resolve) => {
      const lib = target.protocol === 'https:' ? https : http;
      let settled = false;
      const settle = (count: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        count();
        req.destroy();
        resolve();
      };
      const req = lib.get(
        target,
        { agent: false, headers: idToken ? { authorization: `Bearer ${idToken}` } : {} },
        (res) => {
          const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
          const revision = res.headers['x-revision'];
          settle(() => {
            if (!ok) sample.errors++;
            else {
              sample.total++;
              if (typeof revision !== 'string') sample.unidentified++;
              else if (revision === candidate) sample.candidate++;
            }
          });
        },
      );
      const deadline = setTimeout(() => settle(() => sample.errors++), deadlineMs);
      req.on('error', () => settle(() => sample.errors++));
    });
  const batch = 5;
  for (let done = 0; done < count; done += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - done) }, one));
  }
  return sample;
}

/** The HTTP status of one GET of `url + path` (headers only), or undefined when nothing answered in time. */
export function statusOf(
  url: string,
  path: string,
  idToken?: string,
  deadlineMs = REQUEST_DEADLINE_MS,
): Promise<number | undefined> {
  const target = new URL(path, url);
  return new Promise((resolve) => {
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.get(
      target,
      { agent: false, headers: idToken ? { authorization: `Bearer ${idToken}` } : {} },
      (res) => finish(res.statusCode),
    );
    const deadline = setTimeout(() => finish(undefined), deadlineMs);
    req.on('error', () => finish(undefined));
    function finish(status: number | undefined): void {
      clearTimeout(deadline);
      req.destroy();
      resolve(status);
    }
  });
}
