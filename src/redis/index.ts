export { redisFleet, type RedisFleetOptions } from './redis-fleet.js';
export { redisStore } from './redis-store.js';
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './client.js';
