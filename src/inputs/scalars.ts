// Scalars: enums, booleans, integers, durations, CPU and memory.
import { type InputName, listOf, type Problems, show } from './shared';

export function parseEnum<T extends string>(
  input: InputName,
  text: string,
  allowed: readonly T[],
  problems: Problems,
) {
  const value = text.toLowerCase() as T;
  if (allowed.includes(value)) return value;
  problems.add(input, `${show(text)} is not a known value`, `one of ${listOf(allowed)}`);
  return undefined;
}

// Booleans are `true` or `false` only: `yes`, `on` or `1` are refused rather than guessed.
export function parseBoolean(input: InputName, text: string, problems: Problems): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  problems.add(input, `${show(text)} is not a boolean`, '`true` or `false`');
  return undefined;
}

export function parseInteger(input: InputName, text: string, min: number, max: number, problems: Problems) {
  const range =
    max === Infinity ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    problems.add(input, `${show(text)} is not a whole number`, range);
    return undefined;
  }
  if (value < min || value > max) {
    problems.add(input, `${value} is out of range`, range);
    return undefined;
  }
  return value;
}

const DURATION = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/;

// Seconds as a bare number (`3600`) or a Duration (`3600s`, `60m`, `1h`, `1h30m`).
export function parseSeconds(input: InputName, text: string, min: number, max: number, problems: Problems) {
  const expected = `${min} to ${max} seconds, as a number (\`${max}\`) or a duration (\`${max}s\`, \`${max / 60}m\`${max % 3600 === 0 ? `, \`${max / 3600}h\`` : ''})`;
  let seconds: number | undefined;
  if (/^[0-9]+$/.test(text)) seconds = Number(text);
  else {
    const match = text === '' ? null : DURATION.exec(text);
    if (match) seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  }
  if (seconds === undefined || !Number.isSafeInteger(seconds)) {
    problems.add(input, `${show(text)} is not a duration`, expected);
    return undefined;
  }
  if (seconds < min || seconds > max) {
    problems.add(input, `${show(text)} is ${seconds} s, out of range`, expected);
    return undefined;
  }
  return seconds;
}

// CPU and memory values and combinations: cloud.google.com/run/docs/configuring/services/cpu and
// cloud.google.com/run/docs/configuring/services/memory-limits (checked 2025).
const WHOLE_CPUS = [1, 2, 4, 6, 8];
const CPU_EXPECTED =
  '`1`, `2`, `4`, `6` or `8`, or a fraction from 0.08 to 1 in steps of 0.001 written as a decimal (`0.5`) or millicores (`500m`)';

interface Cpu {
  text: string;
  value: number;
}

export function parseCpu(text: string, problems: Problems): Cpu | undefined {
  const millicores = /^([0-9]+)m$/.exec(text);
  const decimal = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  let value: number;
  if (millicores) value = Number(millicores[1]) / 1000;
  else if (decimal) {
    if ((decimal[2] ?? '').length > 3) {
      problems.add('cpu', `${show(text)} is finer than Cloud Run's 0.001 CPU steps`, CPU_EXPECTED);
      return undefined;
    }
    value = Number(text);
  } else {
    problems.add('cpu', `${show(text)} is not a CPU amount`, CPU_EXPECTED);
    return undefined;
  }
  if (value < 0.08 || value > 8) {
    problems.add('cpu', `${show(text)} is out of range`, CPU_EXPECTED);
    return undefined;
  }
  if (value > 1 && !WHOLE_CPUS.includes(value)) {
    problems.add(
      'cpu',
      `${show(text)} is not a CPU count Cloud Run offers (above 1 CPU only whole 2, 4, 6 or 8)`,
      CPU_EXPECTED,
    );
    return undefined;
  }
  return { text, value };
}

const MEMORY_EXPECTED = 'a size in binary units from `128Mi` to `32Gi`, such as `512Mi` or `2Gi`';

// Memory in MiB from `<n>Mi` or `<n>Gi`.
export function parseMemory(text: string, problems: Problems): number | undefined {
  const match = /^([0-9]+)(Mi|Gi)$/.exec(text);
  if (!match) {
    const decimalUnits = /^[0-9]+(?:\.[0-9]+)?\s*([MG]B?|[mg]i?b?)$/.test(text);
    problems.add(
      'memory',
      decimalUnits
        ? `${show(text)} uses a unit Cloud Run does not take here`
        : `${show(text)} is not a memory size`,
      MEMORY_EXPECTED,
    );
    return undefined;
  }
  const mib = Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
  if (mib < 128 || mib > 32 * 1024) {
    problems.add('memory', `${show(text)} is out of range`, MEMORY_EXPECTED);
    return undefined;
  }
  return mib;
}

export function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

// The least CPU a memory limit needs (memory-limits page: more than 4, 8, 16, 24 GiB need 2, 4, 6, 8 CPU;
// cpu page: under 1 CPU, more than 512 MiB needs 0.5 and more than 1 GiB needs 1).
export function minimumCpuFor(mib: number): number {
  if (mib > 24 * 1024) return 8;
  if (mib > 16 * 1024) return 6;
  if (mib > 8 * 1024) return 4;
  if (mib > 4 * 1024) return 2;
  if (mib > 1024) return 1;
  if (mib > 512) return 0.5;
  return 0.08;
}

// The most memory a CPU count allows: the inverse of minimumCpuFor.
export function maximumMemoryFor(cpu: number): number {
  if (cpu >= 8) return 32 * 1024;
  if (cpu >= 6) return 24 * 1024;
  if (cpu >= 4) return 16 * 1024;
  if (cpu >= 2) return 8 * 1024;
  if (cpu >= 1) return 4 * 1024;
  if (cpu >= 0.5) return 1024;
  return 512;
}

// The least memory a CPU count needs (cpu page: 4 CPU need 2 GiB, 6 and 8 CPU need 4 GiB).
export function minimumMemoryFor(cpu: number): number {
  if (cpu >= 6) return 4 * 1024;
  if (cpu >= 4) return 2 * 1024;
  return 128;
}
