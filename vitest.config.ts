import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // The end-to-end files run real processes under open-loop load (the cascade demo alone runs
    // ten at 150 requests a second) and judge what users would see: they run one at a time, after
    // the rest, so that none of them measures the others' load instead of its own.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.e2e.test.ts'], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.e2e.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
