import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests (parallel), tests that need root, network
// namespaces and iptables (serial, in forks), and cluster e2e (Docker + kind).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{webhook,init,go-compat,bench,manifests,charts,bin,test-support}/**/*.test.ts'],
          exclude: ['**/*.netns.test.ts', 'node_modules/**'],
          pool: 'forks',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'netns',
          include: ['{webhook,init}/**/*.netns.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
