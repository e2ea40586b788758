export { fromOpossum, type FromOpossumOptions, type OpossumPolicy } from './from-opossum.js';
export type { OpossumCallEvent, OpossumRejectedEvent, OpossumState, OpossumStateChangeEvent, OpossumTimeoutEvent } from './breaker-events.js';
export type { OpossumBreaker } from './opossum-breaker.js';
