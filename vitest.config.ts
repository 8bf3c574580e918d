import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './specs/support/summary-reporter.ts'],
    // Integration tests wait on real servers; unit tests finish in milliseconds regardless.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Test files that start servers of their own must not all start at once on a 2-core machine.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['specs/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['specs/integration/**/*.test.ts'],
          // One real Keycloak for the whole run; test files isolate themselves with their own realms.
          globalSetup: ['./specs/setup/keycloak.ts'],
        },
      },
    ],
  },
});
