// The runner interactions a step needs before @actions/core loads: read an input, write an output, log a
// line, mask a secret, fail with an annotation. Written out here (the formats @actions/core uses, from the runner's
// workflow-command and file-command docs) so a bad input is refused without loading @actions/core, whose
// HTTP client (undici) alone costs more start-up than the 2x `node -e 0` budget (bench/RESULTS.md).
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { randomUUID } from 'node:crypto';

/** `INPUT_<NAME>` with spaces as `_`, uppercased (the runner's rule); trimmed unless asked not to. */
export function getInput(name: string, options: { trimWhitespace?: boolean } = {}): string {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
  return options.trimWhitespace === false ? value : value.trim();
}

/** Appends `name<<DELIM\nvalue\nDELIM` to $GITHUB_OUTPUT; a random delimiter that cannot occur in the value. */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) {
    // Outside a runner (a local run without the file): the legacy command, as @actions/core falls back to.
    process.stdout.write(`${EOL}::set-output name=${escapeProperty(name)}::${escapeData(value)}${EOL}`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`output ${name}: the value contains the delimiter ${delimiter}`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}

/** An `::error::` annotation and exit code 1: what `core.setFailed` does. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  process.stdout.write(`::error::${escapeData(message)}${EOL}`);
}

/** `::add-mask::`: the runner replaces the value with *** in every later log line. */
export function addMask(secret: string): void {
  process.stdout.write(`::add-mask::${escapeData(secret)}${EOL}`);
}

/** A plain log line. */
export function info(line: string): void {
  process.stdout.write(`${line}${EOL}`);
}

/** Workflow-command data escaping: `%`, CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
