import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Unit tests: no browser. `wxt/browser` is WXT's in-memory fake, IndexedDB is fake-indexeddb,
// HTTP is real (tests start local servers).
export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    include: ['tests/unit/**/*.test.{ts,tsx}'],
    environment: 'node',
    // Generous: two cores shared by parallel files; a slow machine is not a failure.
    testTimeout: 30_000,
    setupFiles: ['fake-indexeddb/auto', 'tests/unit/setup.ts'],
    // One throwaway PostgreSQL cluster for the run: the server suite runs on both databases.
    globalSetup: ['tests/support/pg-global.ts'],
    server: { deps: { inline: ['twitter-text'] } },
  },
});
