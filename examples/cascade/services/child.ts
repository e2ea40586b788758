import type { Server } from 'node:http';

/** The configuration a child process gets from the demo, as JSON in its first argument. */
export function childConfig<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('a service is started by the demo, with its configuration as the first argument');
  return JSON.parse(raw) as T;
}

/**
 * Listens on a free port of 127.0.0.1 with keep-alive settings that outlive the run (so that an
 * idle connection is never closed under a client's feet), and returns the port.
 */
export function listen(server: Server, port = 0): Promise<number> {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

/** The base URL (`http://127.0.0.1:<port>`) of every service of the run, by name. */
export type Addresses = Readonly<Record<string, string>>;

/**
 * Tells the demo this service listens, then waits for the addresses of the other services (all
 * are started at once, each on a free port, then told where the others are). The service exits
 * when the demo goes away (even if the demo was killed) or stops it; a Ctrl-C in the terminal
 * reaches the whole process group, and is left to the demo, which stops its services in order.
 */
export function ready(info: Record<string, number>): Promise<Addresses> {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => undefined);
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      const { type, addresses } = message as { type?: string; addresses?: Addresses };
      if (type !== 'wire' || addresses === undefined) return;
      process.off('message', onMessage);
      process.send?.({ type: 'wired' });
      resolve(addresses);
    };
    process.on('message', onMessage);
    process.send?.({ type: 'ready', ...info });
  });
}

/** Waits `ms` (the simulated cost of a piece of work: a database read, a hash). */
export function work(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
