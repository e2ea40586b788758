// Builds the library for the benchmarks with tsup, as `npm run build` does (esbuild, no
// `keepNames`), into a private directory, so that a benchmark never measures the tsx/vitest
// transform and never depends on a stale `dist/`. The Prometheus and undici entries are built
// when their source exists; ESM code splitting keeps one copy of the core shared by the entries.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Builds into a fresh directory under `.tmp/` and returns it; `remove()` deletes it.
 * `sourcemap: true` adds source maps (for profiles that point into src/).
 */
export async function buildLibrary({ sourcemap = false } = {}) {
  const { build } = await import('tsup');
  const parent = join(root, '.tmp');
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(join(parent, 'bench-lib-'));
  const entry = { index: join(root, 'src/index.ts') };
  for (const name of ['prometheus', 'undici', 'opentelemetry']) {
    const file = join(root, `src/${name}/index.ts`);
    if (existsSync(file)) entry[name] = file;
  }
  await build({
    config: false,
    entry,
    outDir,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: false,
    sourcemap,
    treeshake: true,
    splitting: true,
    clean: false,
    silent: true,
    tsconfig: join(root, 'tsconfig.json'),
    external: ['prom-client', 'opossum', 'undici', '@opentelemetry/api'],
  });
  return { dir: outDir, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}
