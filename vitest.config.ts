import { defineConfig } from 'vitest/config'

// CI and the dev machines have 2 cores: two forked workers keep both busy without the
// simulation suites starving each other. `forks` rather than `threads` so a test that kills or
// crashes a child process (durability, relay restarts) can't take a worker thread down with it.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
})
