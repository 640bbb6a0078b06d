/** @type {import('jest').Config} */
// jose ships ES modules only: jest's own module loader needs them compiled to CommonJS like our TypeScript.
const transform = {
  '^.+\\.ts$': ['@swc/jest'],
  '/node_modules/jose/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' }, jsc: { target: 'es2022' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];
const common = {
  transform,
  transformIgnorePatterns,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  transform,
  transformIgnorePatterns,
  // Servers (Temporal dev server, FerretDB) are started once for the whole run by the global setup.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/domain/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    { ...common, displayName: 'workflows', testMatch: ['<rootDir>/test/workflows/**/*.test.ts'] },
    { ...common, displayName: 'activities', testMatch: ['<rootDir>/test/activities/**/*.test.ts'] },
    { ...common, displayName: 'api', testMatch: ['<rootDir>/test/api/**/*.test.ts'] },
    // The console in headless Chromium (Debian's package, driven by playwright-core) against the real stack.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
