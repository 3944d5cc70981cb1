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
  },
});
