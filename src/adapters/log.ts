// The log port: plain lines, warnings and errors as annotations, and one group per plan step.
import * as core from '@actions/core';

export interface Log {
  info(line: string): void;
  warning(line: string): void;
  error(line: string): void;
  /** Request shapes and other detail, shown only with debug logging on. */
  debug(line: string): void;
  /** Runs `fn` inside a collapsible log group titled after the plan step. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

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
