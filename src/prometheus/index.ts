export { instrument, type InstrumentOptions, type Instrumentation } from './instrument.js';
export type { AnyRegistry } from './metrics.js';
