// Entry `firebreak/undici`: protection where the calls already are (undici's dispatchers, fetch).
export { interceptor, defaultPolicy, type FirebreakInterceptor, type InterceptorOptions } from './interceptor.js';
export type { UndiciResponseHead } from './response-head.js';
export type { SyntheticResponse } from './synthetic-response.js';
