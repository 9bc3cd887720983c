import { defineConfig } from 'vitest/config';

// Two groups: everything else first (files in parallel), then the chaos suites (crash, fault,
// load, SIGTERM) one file at a time, so their real processes and load runs do not compete with
// the rest of the run for this machine's two cores.
const shared = {
  setupFiles: ['test/support/node-version.ts', 'test/support/log-capture-setup.ts'],
  env: { METADATA_SERVER_DETECTION: 'none' },
  testTimeout: 20_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default'],
    projects: [
      { test: { ...shared, name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/chaos/**'], sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'chaos', include: ['test/chaos/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
