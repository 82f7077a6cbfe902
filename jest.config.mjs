// Jest in ESM mode through ts-jest (docs/platform.md "Toolchain"): @actions/* are ESM-only.
import { availableParallelism } from 'node:os';

/** @type {import('jest').Config} */
export default {
  // The suites mostly wait on real processes and timers, so more workers than CPUs pay: Jest's default
  // (CPUs - 1) gives `npm test` a single worker on a 2-CPU machine. Four there. Measured on 2 CPUs: two
  // workers took 431 s and three 321 s for the same CPU time; later, with the suite trimmed, three took
  // 267 s and four 235 s for the same CPU time (384 s and 391 s: 1.4 and 1.7 CPUs busy). An earlier
  // four-worker run cost 15 % more CPU time than three; the checks that flaked under that load have been
  // fixed at their cause since, so a busy machine slows a test but does not fail it.
  maxWorkers: Math.max(4, availableParallelism() - 1),
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  // The tests that run the built action never run bundles older than the sources (scripts/test-bundles.mjs).
  globalSetup: '<rootDir>/scripts/test-bundles.mjs',
  // The longest files first, also on a fresh clone with no timings yet (scripts/test-sequencer.mjs).
  testSequencer: '<rootDir>/scripts/test-sequencer.mjs',
  // Writes bench/FAULTS.md from the fault suite's rows (scripts/faults-table.mjs).
  globalTeardown: '<rootDir>/scripts/faults-table.mjs',
};
