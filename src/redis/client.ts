import type { Script } from './scripts.js';

/**
 * The Redis clients `redisFleet` accepts: a node-redis client (`createClient()` of `redis` 4 or
 * later) or an `ioredis` client, connected by you. Only the few members the fleet uses are named.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import type { RedisClientLike } from 'firebreak/redis';
 * const client: RedisClientLike = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * ```
 */
export type RedisClientLike = NodeRedisLike | IoRedisLike;

/** A node-redis client (`redis` 4 or later). */
export interface NodeRedisLike {
  readonly isOpen: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  off(event: 'error', listener: (error: unknown) => void): unknown;
}

/** An `ioredis` client. */
export interface IoRedisLike {
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  off(event: 'error', listener: (error: unknown) => void): unknown;
}

/** The one thing the fleet asks of a client: run a script, and report background errors. */
export interface ScriptRunner {
  run(script: Script, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  onError(listener: (error: unknown) => void): () => void;
}

/** Whether `client` looks like one of the clients {@link adaptClient} takes. */
export function isRedisClient(client: unknown): client is RedisClientLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  if (typeof c.on !== 'function' || typeof c.off !== 'function') return false;
  return (typeof c.call === 'function' && typeof c.status === 'string') || (typeof c.sendCommand === 'function' && 'isOpen' in c);
}

/**
 * One small adapter over both clients: EVALSHA, and EVAL when the server answers NOSCRIPT (a
 * restarted or flushed Redis has forgotten the scripts; EVAL loads them again).
 */
export function adaptClient(client: RedisClientLike): ScriptRunner {
  const send: (args: string[]) => Promise<unknown> =
    'status' in client ? (args) => client.call(args[0]!, ...args.slice(1)) : (args) => client.sendCommand(args);
  return {
    async run(script, keys, args) {
      const rest = [String(keys.length), ...keys, ...args];
      try {
        return await send(['EVALSHA', script.sha, ...rest]);
      } catch (error) {
        if (!String((error as { message?: unknown } | undefined)?.message).startsWith('NOSCRIPT')) throw error;
        return send(['EVAL', script.source, ...rest]);
      }
    },
    onError(listener) {
      client.on('error', listener);
      return () => void client.off('error', listener);
    },
  };
}
