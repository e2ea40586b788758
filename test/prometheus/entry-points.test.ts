import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every module `entry` imports, directly or not (source files by path, packages by name). */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.startsWith(root)) return;
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const match of source.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)) {
      const specifier = (match[1] ?? match[2]) as string;
      visit(specifier.startsWith('.') ? normalize(join(dirname(file), specifier.replace(/\.js$/, '.ts'))) : specifier);
    }
  };
  visit(join(root, entry));
  return seen;
}

describe('entry points', () => {
  it('the core imports neither prom-client nor opossum, nor the modules that do', () => {
    const core = [...importGraph('src/index.ts')];
    expect(core.length).toBeGreaterThan(20);
    expect(core.filter((module) => !module.startsWith(root))).toEqual([]);
    expect(core.filter((module) => /src\/(prometheus|opossum|undici)\//.test(module))).toEqual([]);
  });

  it('firebreak/prometheus imports prom-client, firebreak/opossum imports no opossum at all', () => {
    const outside = (entry: string): string[] => [...importGraph(entry)].filter((module) => !module.startsWith(root));
    expect(outside('src/prometheus/index.ts')).toEqual(['prom-client']);
    expect(outside('src/opossum/index.ts')).toEqual([]);
    // firebreak/undici needs only undici's types: it never loads undici itself.
    expect(outside('src/undici/index.ts').sort()).toEqual(['node:http', 'undici']);
    const undiciImports = [...importGraph('src/undici/index.ts')].filter((module) => module.startsWith(join(root, 'src/undici')));
    for (const file of undiciImports) expect(readFileSync(file, 'utf8')).not.toMatch(/^import (?!type )[^;]*from '(undici|node:http)'/m);
  });

  it('are built and exported, types first, with their peers optional and external', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, Record<string, string>>>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    for (const entry of ['prometheus', 'opossum', 'undici']) {
      expect(pkg.exports[`./${entry}`]).toEqual({
        import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
        require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
      });
      expect(Object.keys(pkg.exports[`./${entry}`]?.import ?? {})[0]).toBe('types');
    }
    expect(pkg.peerDependenciesMeta).toMatchObject({ 'prom-client': { optional: true }, opossum: { optional: true }, undici: { optional: true } });
    const tsup = readFileSync(join(root, 'tsup.config.ts'), 'utf8');
    expect(tsup).toContain("prometheus: 'src/prometheus/index.ts'");
    expect(tsup).toContain("opossum: 'src/opossum/index.ts'");
    expect(tsup).toContain("undici: 'src/undici/index.ts'");
    expect(tsup).toMatch(/external: \[[^\]]*'prom-client', 'opossum', 'undici'/);
  });
});
