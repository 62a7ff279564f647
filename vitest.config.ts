import { defineConfig } from 'vitest/config';

// CI (.ci/run) sets RUNBOOK_TEST_JSON to a file: it reads the totals from vitest's JSON report.
const jsonReport = process.env.RUNBOOK_TEST_JSON;

export default defineConfig({
  test: {
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One lab sandbox per run, shared by every file: files run one at a time, and each file
          // that used it leaves fresh hosts to the next.
          fileParallelism: false,
          globalSetup: ['test/global-setup/sandbox.ts'],
          setupFiles: ['test/global-setup/fresh-sandbox.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
