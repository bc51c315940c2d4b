import { defineConfig } from 'vitest/config';

// Unit and integration tests of every workspace; the browser suites live in e2e/ (Playwright).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'protocol', root: './protocol', include: ['src/**/*.test.ts'] } },
      { test: { name: 'sframe', root: './sframe', include: ['src/**/*.test.ts'] } },
      { test: { name: 'signaling', root: './signaling', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      { test: { name: 'recorder', root: './recorder', include: ['src/**/*.test.ts'] } },
      { test: { name: 'archive', root: './archive', include: ['src/**/*.test.ts'] } },
      {
        extends: './client/vite.config.ts',
        root: './client',
        test: { name: 'client', root: './client', include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
    ],
  },
});
