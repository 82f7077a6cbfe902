// The log port over the GitHub runner: plain lines, warnings and errors as annotations, one group per plan step.
import * as core from '@actions/core';
import type { Log } from '../ports';

/** The log as the GitHub runner shows it. */
export function actionsLog(): Log {
  return {
    info: (line) => core.info(line),
    warning: (line) => core.warning(line),
    error: (line) => core.error(line),
    debug: (line) => core.debug(line),
    group: (title, fn) => core.group(title, fn),
  };
}
