export { fromOpossum, type FromOpossumOptions, type OpossumPolicy } from './from-opossum.js';
export type { OpossumBreaker } from './opossum-breaker.js';
