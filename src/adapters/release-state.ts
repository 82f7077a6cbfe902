// The release record in the runner's step state, so the post step of the same job can find a rollout
// that main left unfinished (FACTS.md GitHub Actions: state between main and post via saveState/getState).
import * as core from '@actions/core';
import { decodeRecord, encodeRecord, type ReleaseRecord } from '../core/release-record';

/** The state name; the runner hands it to the post step as `STATE_release`. */
export const RELEASE_STATE = 'release';

/** Saves the record for the post step; call it whenever the record changes. */
export function saveRecord(record: ReleaseRecord): void {
  core.saveState(RELEASE_STATE, encodeRecord(record));
}

/** The record main saved, or undefined when there is none or it is unreadable. */
export function loadRecord(): ReleaseRecord | undefined {
  return decodeRecord(core.getState(RELEASE_STATE));
}
