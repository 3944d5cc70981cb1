import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts', 'functions/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites start real servers on loopback; two cores do not gain from more workers.
    poolOptions: { forks: { maxForks: 2 } },
    pool: 'forks',
    reporters: ['default', './tests/summary-reporter.ts'],
    // Function instances log the errors tests provoke on purpose (bad frames, failing tiles);
    // FUNC_LOG_LEVEL=warn (or TEST_LOG_LEVEL for dev's own log) shows them when a test needs looking into.
    env: { FUNC_LOG_LEVEL: process.env.FUNC_LOG_LEVEL ?? 'silent' },
  },
});
