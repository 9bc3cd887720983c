import { defineConfig } from 'vitest/config';

// Two groups: everything else first (files in parallel), then the chaos suites (crash, fault,
// load, SIGTERM) one file at a time, so their real processes and load runs do not compete with
// the rest of the run for this machine's two cores.
//
// `--no-memory-protection-keys`: on CPUs with memory protection keys (PKU), V8 tracks every JIT
// page, and PGlite's WebAssembly compiled and freed again and again in one test process can make
// that registry abort the whole process ("Check failed: jit_page.has_value()", seen in CI; the
// upstream report is nodejs/node#64500). The product opens one database per process.
const shared = {
  execArgv: ['--no-memory-protection-keys'],
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
