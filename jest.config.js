// Jest in ESM mode through ts-jest (FACTS.md, Toolchain): @actions/* are ESM-only.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  // Writes bench/FAULTS.md from the fault suite's rows (scripts/faults-table.mjs).
  globalTeardown: '<rootDir>/scripts/faults-table.mjs',
};
