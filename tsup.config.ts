import { defineConfig } from 'tsup';

export default defineConfig({
  // The entries share the core's chunk (splitting), so that a policy built by one entry is the
  // same class as the core's; their peers stay external.
  entry: {
    index: 'src/index.ts',
    prometheus: 'src/prometheus/index.ts',
    opossum: 'src/opossum/index.ts',
    undici: 'src/undici/index.ts',
    redis: 'src/redis/index.ts',
    opentelemetry: 'src/opentelemetry/index.ts',
  },
  external: ['prom-client', 'opossum', 'undici', 'redis', 'ioredis', '@opentelemetry/api'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  treeshake: true,
  splitting: true,
});
