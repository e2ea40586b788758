import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TSX = import.meta.resolve('tsx');
const STARTUP_LIMIT_MS = 20_000;
const STOP_GRACE_MS = 2_000;

/**
 * The demo's child processes: each service runs in its own Node.js process (TypeScript through
 * tsx), on a free port of 127.0.0.1 that it reports when it is ready. Every child also exits by
 * itself when the demo goes away, even if the demo was killed.
 */
export class ProcessGroup {
  readonly #children = new Set<ChildProcess>();
  #stopping = false;

  constructor(
    readonly log: (line: string) => void,
    /** Called when a child exits on its own after it was ready: a service crashed. */
    readonly onCrash: (error: Error) => void,
  ) {}

  /** Starts `services/<file>` with `config`; resolves once it listens, with the ports it reports. */
  start(name: string, file: string, config: unknown): Promise<Started> {
    const script = fileURLToPath(new URL(`./services/${file}`, import.meta.url));
    const child = fork(script, [JSON.stringify(config)], { execArgv: ['--import', TSX], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return new Promise((resolve, reject) => {
      const limit = setTimeout(() => fail(new Error(`${name} did not start within ${STARTUP_LIMIT_MS} ms`)), STARTUP_LIMIT_MS);
      const fail = (error: Error): void => {
        clearTimeout(limit);
        child.off('message', onMessage);
        reject(error);
      };
      const onExit = (code: number | null, signal: string | null): void => fail(new Error(`${name} exited before it was ready (${signal ?? `code ${code}`})`));
      const onMessage = (message: unknown): void => {
        const { type, ...info } = message as { type?: string } & Record<string, number>;
        if (type !== 'ready') return;
        clearTimeout(limit);
        child.off('exit', onExit);
        child.off('message', onMessage);
        child.once('exit', (code, signal) => {
          if (!this.#stopping) this.onCrash(new Error(`${name} (pid ${child.pid}) exited during the run (${signal ?? `code ${code}`})`));
        });
        this.log(`  started ${name.padEnd(8)} pid=${child.pid} on 127.0.0.1:${info.port}`);
        resolve({ name, ports: info, wire: (addresses) => wire(child, addresses) });
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', fail);
    });
  }

  /** Stops every child (SIGTERM, then SIGKILL after a grace period) and waits until they are gone. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    try {
      await Promise.all([...this.#children].map((child) => stop(child)));
    } finally {
      this.#stopping = false;
    }
  }

  /** Sends SIGKILL to every child at once, without waiting: for the process's `exit` event. */
  killAllNow(): void {
    this.#stopping = true;
    for (const child of this.#children) child.kill('SIGKILL');
  }
}

/** A started service, listening, that has yet to learn where the others are. */
export interface Started {
  readonly name: string;
  /** `port`, and any other port it listens on (auth's `adminPort`). */
  readonly ports: Record<string, number>;
  /** Tells it the base URL of every service by name; resolves once it has taken them. */
  readonly wire: (addresses: Record<string, string>) => Promise<void>;
}

function wire(child: ChildProcess, addresses: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if ((message as { type?: string }).type !== 'wired') return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.send({ type: 'wire', addresses });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
