import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Manifest {
  readonly types: string;
  readonly exports: Record<string, string | { readonly require: { readonly types: string } }>;
  readonly typesVersions: Record<string, Record<string, readonly string[]>>;
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Manifest;

describe('package.json: types for every entry point, under every moduleResolution', () => {
  it('typesVersions maps every subpath of exports to its CommonJS types, for moduleResolution node10 (which ignores exports)', () => {
    const subpaths = Object.keys(pkg.exports)
      .filter((key) => key !== '.' && key !== './package.json')
      .map((key) => key.slice(2));
    expect(subpaths).toContain('prometheus');
    const mapped = pkg.typesVersions['*'] ?? {};
    expect(Object.keys(mapped).sort()).toEqual([...subpaths].sort());
    for (const subpath of subpaths) {
      const entry = pkg.exports[`./${subpath}`];
      expect(typeof entry === 'object' ? [entry.require.types] : undefined, subpath).toEqual(mapped[subpath]);
    }
  });
});
