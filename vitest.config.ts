import { defineConfig } from 'vitest/config';

// isolated-vm hangs under the `threads` pool and needs --no-node-snapshot (its README).
export default defineConfig({
  test: {
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
