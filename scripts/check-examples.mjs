// Type-checks every ```ts block of the TSDoc `@example`s in src/ and of the Markdown docs, each
// as its own module importing 'firebreak' (mapped to the source). Exits non-zero on any error.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, '.tmp', 'examples');

function* files(dir, ending) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path, ending);
    else if (entry.name.endsWith(ending)) yield path;
  }
}

function* tsBlocks(text) {
  const fence = /```ts\n([\s\S]*?)```/g;
  for (let match = fence.exec(text); match; match = fence.exec(text)) yield { code: match[1], line: text.slice(0, match.index).split('\n').length };
}

/** The ```ts blocks inside TSDoc comments, with the leading ` * ` taken off each line. */
function* tsdocBlocks(text) {
  const comment = /\/\*\*[\s\S]*?\*\//g;
  for (let match = comment.exec(text); match; match = comment.exec(text)) {
    const body = match[0].split('\n').map((line) => line.replace(/^\s*\/?\*+\/?\s?/, '')).join('\n');
    const offset = text.slice(0, match.index).split('\n').length - 1;
    for (const block of tsBlocks(body)) yield { code: block.code, line: offset + block.line };
  }
}

const sources = [
  ...[...files(join(root, 'src'), '.ts')].map((path) => ({ path, blocks: [...tsdocBlocks(readFileSync(path, 'utf8'))] })),
  ...['README.md', 'CHANGELOG.md', ...files(join(root, 'examples'), '.md'), ...files(join(root, 'docs'), '.md')]
    .map((path) => join(root, relative(root, path)))
    .filter((path) => {
      try {
        readFileSync(path);
        return true;
      } catch {
        return false;
      }
    })
    .map((path) => ({ path, blocks: [...tsBlocks(readFileSync(path, 'utf8'))] })),
];

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const written = [];
for (const { path, blocks } of sources) {
  for (const { code, line } of blocks) {
    const name = `${relative(root, path).replace(/[/.]/g, '_')}_L${line}.ts`;
    writeFileSync(join(outDir, name), `// ${relative(root, path)}:${line}\n${code}\nexport {};\n`);
    written.push(name);
  }
}

writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../../tsconfig.json',
      compilerOptions: {
        noEmit: true,
        noUnusedLocals: false,
        paths: {
          firebreak: ['../../src/index.ts'],
          'firebreak/prometheus': ['../../src/prometheus/index.ts'],
          'firebreak/opossum': ['../../src/opossum/index.ts'],
          'firebreak/undici': ['../../src/undici/index.ts'],
          'firebreak/*': ['../../src/*/index.ts'],
        },
        allowImportingTsExtensions: true,
      },
      include: ['*.ts'],
    },
    null,
    2,
  ),
);

try {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(outDir, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error(`\nSome of the ${written.length} code examples do not compile: the file names above name the source and line.`);
  process.exit(1);
}
console.log(`${written.length} code examples type-check.`);
