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

/** GETs `url + path` `count` times (a few at once) and counts the revisions that answered. */
export async function sampleRevisions(
  url: string,
  path: string,
  count: number,
  candidate: string,
  idToken?: string,
): Promise<RevisionSample> {
  const sample: RevisionSample = { total: 0, candidate: 0, unidentified: 0, errors: 0 };
  const target = new URL(path, url);
  const one = () =>
    new Promise<void>((resolve) => {
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.get(
        target,
        { agent: false, timeout: 5000, headers: idToken ? { authorization: `Bearer ${idToken}` } : {} },
        (res) => {
          res.resume();
          const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
          const revision = res.headers['x-revision'];
          if (!ok) sample.errors++;
          else {
            sample.total++;
            if (typeof revision !== 'string') sample.unidentified++;
            else if (revision === candidate) sample.candidate++;
          }
          res.on('end', resolve);
          res.on('error', () => resolve());
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        sample.errors++;
        resolve();
      });
    });
  const batch = 5;
  for (let done = 0; done < count; done += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - done) }, one));
  }
  return sample;
}
