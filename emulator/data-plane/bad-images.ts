// Images a test turned bad on demand (fault setting `badImages`, `Faults.turnBad`): the router answers in
// the app's place, as an app that breaks mid-rollout would, so no test waits for a real-time fault timer.
import { Transform } from 'node:stream';
import type { ErrorPage } from './error-pages';

/** The 500 a broken app answers to a new request: JSON naming its revision, as the sample apps do. */
export function brokenAppAnswer(revision: string): ErrorPage {
  return {
    status: 500,
    contentType: 'application/json',
    body: JSON.stringify({ error: 'the image has turned bad (emulator fault badImages)', revision }),
    headers: { 'x-revision': revision },
  };
}

/** Passes a response's bytes on until `isBad()` holds, then drops them: the stream goes silent but stays open. */
export function silencedOnceBad(isBad: () => boolean): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, isBad() ? undefined : chunk);
    },
  });
}
