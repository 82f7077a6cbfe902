// Samples which revision the service URL sends new requests to, by the `X-Revision` header the app
// sets (when it sets one): one fresh connection per request, so each is a new routing decision.
import { openGet } from './http-probe';
import type { RevisionSample } from '../ports';

/** Each request is given up after this long (its headers never came), and counted as failed. */
const REQUEST_DEADLINE_MS = 5000;
/** Requests of one sample in flight at once. */
const IN_FLIGHT = 5;

/**
 * One GET of `url + path` on a fresh connection (through the probes' openGet, so proxies apply as for
 * every probe), read up to its status and headers only, then dropped: a streaming path cannot hold it.
 * Undefined when nothing answered within `deadlineMs`.
 */
function head(
  url: string,
  path: string,
  idToken: string | undefined,
  deadlineMs: number,
): Promise<{ status: number; revision?: string } | undefined> {
  const target = new URL(path, url).href;
  return new Promise((resolve) => {
    const { request } = openGet(target, idToken ? { authorization: `Bearer ${idToken}` } : {});
    const finish = (answer: { status: number; revision?: string } | undefined): void => {
      clearTimeout(deadline);
      request.destroy();
      resolve(answer);
    };
    const deadline = setTimeout(() => finish(undefined), deadlineMs);
    request.on('response', (res) => {
      const revision = res.headers['x-revision'];
      finish({ status: res.statusCode ?? 0, revision: typeof revision === 'string' ? revision : undefined });
    });
    request.on('error', () => finish(undefined));
  });
}

/**
 * GETs `url + path` `count` times (five at once) and counts the revisions that answered, by status and
 * headers only. Every request has a hard deadline, so the whole sample ends within about `count / 5`
 * deadlines at worst.
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
  const one = async (): Promise<void> => {
    const answer = await head(url, path, idToken, deadlineMs);
    if (!answer || answer.status < 200 || answer.status >= 300) {
      sample.errors++;
      if (answer?.revision === candidate) sample.candidateErrors = (sample.candidateErrors ?? 0) + 1;
    } else {
      sample.total++;
      if (answer.revision === undefined) sample.unidentified++;
      else if (answer.revision === candidate) sample.candidate++;
    }
  };
  // Five in flight at a time, each worker starting the next request as its last one ends: no batch waits
  // for its slowest request while the others sit idle.
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
  return sample;
}

/** The HTTP status of one GET of `url + path` (headers only), or undefined when nothing answered in time. */
export async function statusOf(
  url: string,
  path: string,
  idToken?: string,
  deadlineMs = REQUEST_DEADLINE_MS,
): Promise<number | undefined> {
  return (await head(url, path, idToken, deadlineMs))?.status;
}
