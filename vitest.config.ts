// Vitest: unit and emulator-backed protocol tests under test/ (browser tests run separately, see scripts/test.sh).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Emulator-backed files are CPU-bound and independent: use both cores of a 2-core machine.
    maxWorkers: 2,
  },
});
