// The runner interactions main.ts uses before @actions/core loads, checked against the formats the runner
// parses (file commands as scripts/local-runner.ts reads them, workflow-command escaping) and against
// @actions/core itself for the same calls.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { addMask, escapeData, getInput, setFailed, setOutput } from '../../src/adapters/runner-commands';
import { parseFileCommands } from '../../scripts/local-runner';

let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-commands-'));
  process.env.GITHUB_OUTPUT = join(dir, 'output');
  writeFileSync(process.env.GITHUB_OUTPUT, '');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.env = { ...saved };
  process.exitCode = undefined;
});

test('getInput reads INPUT_<NAME> (spaces as _, uppercased) and trims like @actions/core', () => {
  process.env['INPUT_ENV_VARS'] = '  A=1\nB=2  ';
  process.env['INPUT_MY_INPUT'] = ' x ';
  expect(getInput('env_vars')).toBe(core.getInput('env_vars'));
  expect(getInput('env_vars', { trimWhitespace: false })).toBe(
    core.getInput('env_vars', { trimWhitespace: false }),
  );
  expect(getInput('my input')).toBe('x');
  expect(getInput('missing')).toBe('');
});

test('setOutput writes a heredoc with a random delimiter that the runner reads back byte for byte', () => {
  const value = 'line 1\nline 2 with <<EOF and %0A and ::error::';
  setOutput('traffic', value);
  setOutput('verdict', 'failed');
  const text = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8');
  expect(parseFileCommands(text)).toEqual({ traffic: value, verdict: 'failed' });
  expect(text).toMatch(/^traffic<<ghadelimiter_[0-9a-f-]{36}\n/);
});

test('setFailed and addMask escape like @actions/core; setFailed sets exit code 1', () => {
  const written: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    setFailed('100% wrong\r\nsecond line');
    expect(process.exitCode).toBe(1);
    core.setFailed('100% wrong\r\nsecond line');
    addMask('s3cr%t\nline');
    core.setSecret('s3cr%t\nline');
  } finally {
    process.stdout.write = original;
  }
  expect(written[0]).toBe('::error::100%25 wrong%0D%0Asecond line\n');
  expect(written[0]).toBe(written[1]);
  expect(written[2]).toBe('::add-mask::s3cr%25t%0Aline\n');
  expect(written[2]).toBe(written[3]);
  expect(escapeData('a%b\nc')).toBe('a%25b%0Ac');
});
