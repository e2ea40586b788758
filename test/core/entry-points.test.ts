import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every module `entry` imports at run time, directly or not (source files by path, packages by name; type-only imports are erased). */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.startsWith(root)) return;
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const match of source.matchAll(/(?:import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)) {
      const specifier = (match[1] ?? match[2]) as string;
      visit(specifier.startsWith('.') ? normalize(join(dirname(file), specifier.replace(/\.js$/, '.ts'))) : specifier);
    }
  };
  visit(join(root, entry));
  return seen;
}

/** Each entry besides the core, with the optional peers it may import. */
const ENTRIES: Record<string, readonly string[]> = {
  prometheus: ['prom-client'],
  opossum: [],
  undici: ['undici'],
  redis: ['redis', 'ioredis'],
  opentelemetry: ['@opentelemetry/api'],
};

describe('entry points', () => {
  it('the core imports no package, nor the modules of any entry', () => {
    const core = [...importGraph('src/index.ts')];
    expect(core.length).toBeGreaterThan(20);
    expect(core.filter((module) => !module.startsWith(root))).toEqual([]);
    const entries = new RegExp(`src/(${Object.keys(ENTRIES).join('|')})/`);
    expect(core.filter((module) => entries.test(module))).toEqual([]);
  });

  it('each entry imports only its own peers: firebreak/prometheus prom-client, firebreak/opossum none at all', () => {
    const outside = (entry: string): string[] => [...importGraph(`src/${entry}/index.ts`)].filter((module) => !module.startsWith(root) && !module.startsWith('node:'));
    expect(outside('prometheus')).toEqual(['prom-client']);
    expect(outside('opossum')).toEqual([]);
    for (const [entry, peers] of Object.entries(ENTRIES)) expect(outside(entry).filter((module) => !peers.includes(module))).toEqual([]);
  });

  it('are built and exported, types first, with their peers optional and external', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, Record<string, string>>>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    const tsup = readFileSync(join(root, 'tsup.config.ts'), 'utf8');
    for (const entry of Object.keys(ENTRIES)) {
      expect(pkg.exports[`./${entry}`]).toEqual({
        import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
        require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
      });
      expect(Object.keys(pkg.exports[`./${entry}`]?.import ?? {})[0]).toBe('types');
      expect(tsup).toContain(`${entry}: 'src/${entry}/index.ts'`);
    }
    const peers = [...new Set(['opossum', ...Object.values(ENTRIES).flat()])].sort();
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(peers);
    expect(pkg.peerDependenciesMeta).toEqual(Object.fromEntries(peers.map((peer) => [peer, { optional: true }])));
    const external = /external: \[([^\]]*)\]/.exec(tsup)?.[1]?.match(/'[^']+'/g)?.map((quoted) => quoted.slice(1, -1)).sort();
    expect(external).toEqual(peers);
  });
});
