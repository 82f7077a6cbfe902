// Jest's test order: the longest files first, so no worker is left with one at the end. Jest orders by the
// last run's timings; a file it has no timing for (a fresh clone, as in CI, or a new file) is estimated
// instead of run last: a file that runs the bundles (a release against the emulator) before the others,
// and within each kind the larger first.
import Sequencer from '@jest/test-sequencer';
import { statSync } from 'node:fs';
import { runsTheBundles } from './test-bundles.mjs';

/** An estimate in Jest's duration unit (ms) that puts every bundle-running file ahead of the unit tests. */
const BUNDLE_FILE_MS = 60_000;

export default class LongestFirst extends Sequencer {
  time(test) {
    const measured = super.time(test);
    if (measured != null) return measured;
    const bytes = statSync(test.path).size;
    return (runsTheBundles(test.path) ? BUNDLE_FILE_MS : 0) + bytes / 100;
  }
}
