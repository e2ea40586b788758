import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));

let demos = 0;

/** The demo running in a child process, as `npm run demo` starts it. */
export interface DemoProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once its output matches `pattern` (rejects if it exits first). */
  waitFor(pattern: RegExp): Promise<void>;
  /** Resolves with its exit code once it has exited. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts the demo with `args`. Its Prometheus targets go to `targetsFile` (by default a file of
 * its own in the temporary directory, so that demos run side by side do not share one).
 */
export function startDemo(args: readonly string[], targetsFile = join(tmpdir(), `firebreak-demo-targets-${process.pid}-${++demos}.json`)): DemoProcess {
  const env = { ...process.env, FIREBREAK_DEMO_TARGETS: targetsFile };
  const child = spawn(process.execPath, ['--import', tsx, 'examples/cascade/demo.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const watcher of watchers) watcher();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(output)) return;
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
        void exited.then(() => {
          if (watchers.delete(check)) reject(new Error(`the demo exited before printing ${pattern}:\n${output}`));
        });
      }),
  };
}

/** The process ids of the services the demo reported starting. */
export function servicePids(output: string): number[] {
  return startedServices(output).map(({ pid }) => pid);
}

/** The services the demo reported starting, in the order it reported them. */
export function startedServices(output: string): { name: string; pid: number }[] {
  return [...output.matchAll(/started (\S+)\s+pid=(\d+)/g)].map((match) => ({ name: match[1] ?? '', pid: Number(match[2]) }));
}

/** Matches output in which the demo has reported starting `count` services. */
export function started(count: number): RegExp {
  return new RegExp(`(?:started \\S+\\s+pid=\\d+[\\s\\S]*?){${count}}`);
}

/** Whether a process is running (a zombie waiting to be reaped is not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits up to `ms` for every process in `pids` to be gone (longer than it takes, even under load); returns those still running. */
export async function stillRunning(pids: readonly number[], ms = 10_000): Promise<number[]> {
  const until = performance.now() + ms;
  for (;;) {
    const running = pids.filter(isRunning);
    if (running.length === 0 || performance.now() > until) return running;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
