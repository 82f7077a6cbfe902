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

/**
 * One region's log in a multi-region release: every line starts with the region, and a plan step is a
 * titled line rather than a runner group (the regions run side by side, and runner groups do not nest).
 */
export function regionLog(log: Log, region: string): Log {
  const tag = (line: string) => `[${region}] ${line}`;
  return {
    info: (line) => log.info(tag(line)),
    warning: (line) => log.warning(tag(line)),
    error: (line) => log.error(tag(line)),
    debug: (line) => log.debug(tag(line)),
    group: async (title, fn) => {
      log.info(tag(`▶ ${title}`));
      return fn();
    },
  };
}
