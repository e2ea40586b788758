import type { Subscribe } from '../events.js';
import { OBSERVE_ENTRIES, type KeyedEntryObserver } from '../keyed/keyed.js';
import type { CircuitStateLabel } from './metric-definitions.js';

/**
 * What `instrument` reads from each kind of policy. Policies are recognised by these members
 * (duck typing), not by class, so that a policy from another copy of the package, or an adapter
 * such as `fromOpossum`, is instrumented the same way.
 */

/** Any firebreak policy: its calls through `execute`. */
export interface CallSource {
  readonly name: string;
  readonly onCall: Subscribe<{ readonly ok: boolean; readonly duration: number }>;
}

/** A timeout, or anything else that reports timeouts. */
export interface TimeoutSource {
  readonly name: string;
  readonly onTimeout: Subscribe<unknown>;
}

/** A fallback. */
export interface FallbackSource {
  readonly name: string;
  readonly onFallback: Subscribe<unknown>;
}

/** A circuit breaker. */
export interface CircuitSource {
  readonly name: string;
  readonly state: CircuitStateLabel;
  readonly onStateChange: Subscribe<{ readonly from: CircuitStateLabel; readonly to: CircuitStateLabel }>;
  readonly onRejected: Subscribe<unknown>;
  readonly onSuccess: Subscribe<{ readonly slow: boolean }>;
  readonly onFailure: Subscribe<{ readonly slow: boolean }>;
}

/** A bulkhead. */
export interface BulkheadSource {
  readonly name: string;
  readonly concurrency: number;
  /** `limit`: the learned limit of an adaptive bulkhead. */
  readonly stats: { readonly active: number; readonly queued: number; readonly limit?: number };
  readonly onRejected: Subscribe<{ readonly reason: string }>;
  readonly onAdmitted: Subscribe<{ readonly waited: number }>;
}

/** A retry budget. */
export interface BudgetSource {
  readonly name: string;
  readonly stats: { readonly available: number };
}

/** A retry policy. */
export interface RetrySource {
  readonly name: string;
  readonly budget?: BudgetSource | undefined;
  readonly onRetry: Subscribe<unknown>;
  readonly onGiveUp: Subscribe<{ readonly reason: string }>;
  /** `failed`: the call ended in a failure, a rejection or a result judged a failure. */
  readonly onSettled: Subscribe<{ readonly failed: boolean; readonly attempts: number }>;
}

/** A hedge policy. */
export interface HedgeSource {
  readonly name: string;
  readonly budget?: BudgetSource | undefined;
  readonly stats: { readonly delay: number };
  readonly onHedge: Subscribe<unknown>;
  readonly onSettled: Subscribe<{ readonly winner: number | undefined }>;
}

/** A rate limiter. */
export interface RateLimitSource {
  readonly name: string;
  readonly rate: number;
  readonly onRejected: Subscribe<unknown>;
  readonly onAdmitted: Subscribe<{ readonly waited: number }>;
}

/** An adaptive throttle. */
export interface ThrottleSource {
  readonly name: string;
  readonly maxRejection: number;
  readonly stats: { readonly probability: number };
  readonly onRejected: Subscribe<unknown>;
}

/** A keyed policy: its entries, reported through a symbol-keyed method, and its overflows. */
export interface KeyedSource {
  readonly name: string;
  readonly stats: { readonly overflows: number };
  readonly [OBSERVE_ENTRIES]: (observer: KeyedEntryObserver) => () => void;
}

/** A fleet of replicas (`redisFleet()`): its link to the store. */
export interface FleetSource {
  readonly name: string;
  readonly connected: boolean;
  readonly onStoreError: Subscribe<unknown>;
}

/** Something made of policies: a pipeline or a `firebreak()` result. */
export interface CompositeSource {
  readonly policies: readonly unknown[];
}

type Bag = Record<string, unknown>;

function isBag(value: unknown): value is Bag {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function functions(value: Bag, ...keys: string[]): boolean {
  return keys.every((key) => typeof value[key] === 'function');
}

function named(value: unknown): value is Bag & { name: string } {
  return isBag(value) && typeof value.name === 'string';
}

/** Whether `value` reports its calls through `onCall`. */
export function isCallSource(value: unknown): value is CallSource {
  return named(value) && functions(value, 'onCall');
}

/** Whether `value` reports timeouts. */
export function isTimeoutSource(value: unknown): value is TimeoutSource {
  return named(value) && functions(value, 'onTimeout');
}

/** Whether `value` reports fallbacks. */
export function isFallbackSource(value: unknown): value is FallbackSource {
  return named(value) && functions(value, 'onFallback');
}

/** Whether `value` is a circuit breaker. */
export function isCircuitSource(value: unknown): value is CircuitSource {
  return named(value) && 'state' in value && functions(value, 'onStateChange', 'onRejected', 'onSuccess', 'onFailure');
}

/** Whether `value` is a bulkhead. */
export function isBulkheadSource(value: unknown): value is BulkheadSource {
  return named(value) && typeof value.concurrency === 'number' && isBag(value.stats) && functions(value, 'onRejected', 'onAdmitted');
}

/** Whether `value` is a retry policy. */
export function isRetrySource(value: unknown): value is RetrySource {
  return named(value) && functions(value, 'onRetry', 'onGiveUp', 'onSettled');
}

/** Whether `value` is a retry budget: not a policy (a bulkhead's stats have `available` too). */
export function isBudgetSource(value: unknown): value is BudgetSource {
  return named(value) && typeof value.execute !== 'function' && isBag(value.stats) && typeof value.stats.available === 'number';
}

/** Whether `value` is a hedge policy. */
export function isHedgeSource(value: unknown): value is HedgeSource {
  return named(value) && isBag(value.stats) && functions(value, 'onHedge', 'onSettled');
}

/** Whether `value` is a rate limiter. */
export function isRateLimitSource(value: unknown): value is RateLimitSource {
  return named(value) && typeof value.rate === 'number' && functions(value, 'onRejected', 'onAdmitted');
}

/** Whether `value` is an adaptive throttle. */
export function isThrottleSource(value: unknown): value is ThrottleSource {
  return named(value) && typeof value.maxRejection === 'number' && isBag(value.stats) && functions(value, 'onRejected');
}

/** Whether `value` is a keyed policy (from this copy of the package or another). */
export function isKeyedSource(value: unknown): value is KeyedSource {
  return named(value) && typeof (value as { [OBSERVE_ENTRIES]?: unknown })[OBSERVE_ENTRIES] === 'function' && isBag(value.stats);
}

/** Whether `value` is made of policies. */
export function isCompositeSource(value: unknown): value is CompositeSource {
  return isBag(value) && Array.isArray(value.policies);
}

/** Whether `value` is a fleet. */
export function isFleetSource(value: unknown): value is FleetSource {
  return named(value) && typeof value.connected === 'boolean' && functions(value, 'onStoreError', 'joinBreaker');
}
