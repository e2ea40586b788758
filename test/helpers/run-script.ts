import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));

/** What a script run as a child process printed, how it exited and how long it took. */
export interface ScriptRun {
  readonly code: number | null;
  readonly output: string;
  readonly elapsedMs: number;
}

/** Runs a TypeScript file in its own Node.js process (through tsx) and waits for it to exit. */
export function runScript(path: string, args: readonly string[] = []): Promise<ScriptRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output, elapsedMs: performance.now() - started }));
  });
}
