import { createClient } from 'redis';
import { redisFleet } from '../../../src/redis/index.js';
import type { Fleet } from '../../../src/index.js';

/**
 * Joins the fleet of a service's replicas on the Redis at `port` (`npm run demo:fleet`): a
 * node-redis client that reconnects on its own, and the fleet on it, syncing every 50 ms (3 replicas:
 * about 120 Redis operations per second in all). Both end with the process.
 */
export async function joinFleet(port: number, prefix: string): Promise<Fleet> {
  const client = await createClient({ socket: { host: '127.0.0.1', port } }).connect();
  return redisFleet({ client, prefix, name: 'auth-replicas', syncInterval: 50 });
}
