/**
 * The Redis scripts of `firebreak/redis` (src/redis/scripts.ts) as plain TypeScript on a manual
 * clock, for the fleet simulation: one shared "server" whose operations are counted. Each method
 * does what its Lua script does, in the same order, with expiries on the simulated server clock.
 */
import type { Clock, FleetBreakerView, FleetBudgetView, FleetStore } from '../../src/index.js';

interface Expiring<T> {
  value: T;
  until: number;
}

export interface MemoryStore extends FleetStore {
  /** Operations served so far. */
  readonly operations: number;
}

export function memoryStore(clock: Clock): MemoryStore {
  const strings = new Map<string, Expiring<string>>();
  const sets = new Map<string, Map<string, number>>();
  const hashes = new Map<string, Map<string, number>>();
  let operations = 0;
  const now = (): number => Math.floor(clock.now());
  const get = (key: string): string | undefined => {
    const entry = strings.get(key);
    if (entry === undefined || entry.until <= now()) return undefined;
    return entry.value;
  };
  const pttl = (key: string): number => {
    const entry = strings.get(key);
    return entry === undefined || entry.until <= now() ? 0 : entry.until - now();
  };
  const zset = (key: string): Map<string, number> => {
    let set = sets.get(key);
    if (set === undefined) sets.set(key, (set = new Map<string, number>()));
    for (const [member, until] of set) if (until <= now()) set.delete(member);
    return set;
  };
  const hash = (key: string): Map<string, number> => {
    let h = hashes.get(key);
    if (h === undefined) hashes.set(key, (h = new Map<string, number>()));
    return h;
  };
  const key = (name: string, part: string): string => `{${name}}:${part}`;

  return {
    get operations() {
      return operations;
    },
    syncBreaker(name, replica, report) {
      operations++;
      const t = now();
      const live = zset(key(name, 'replicas'));
      live.set(replica.id, t + replica.liveFor);
      const reports = zset(key(name, 'cb:opened'));
      const probeKey = key(name, 'cb:probe');
      const calls = hash(key(name, 'cb:calls'));
      const tripKey = key(name, 'cb:tripped');
      if (report.probe === 'success') {
        reports.clear();
        calls.clear();
        strings.delete(tripKey);
        if (get(probeKey) === replica.id) strings.delete(probeKey);
        strings.set(key(name, 'cb:closed'), { value: `${replica.id}:${t}`, until: t + replica.liveFor * 10 });
      } else if (report.probe === 'failure' && report.opened > 0 && get(probeKey) === replica.id) {
        strings.set(probeKey, { value: replica.id, until: t + report.opened });
      }
      const pool = report.pool;
      if (pool !== undefined && pool.calls > 0) {
        const bucket = Math.floor((t * pool.buckets) / pool.window);
        calls.set(`c${bucket}`, (calls.get(`c${bucket}`) ?? 0) + pool.calls);
        if (pool.failures > 0) calls.set(`f${bucket}`, (calls.get(`f${bucket}`) ?? 0) + pool.failures);
        if (get(tripKey) === undefined) {
          for (const field of calls.keys()) {
            const b = Number(field.slice(1));
            if (b <= bucket - pool.buckets || b > bucket) calls.delete(field);
          }
          let total = 0;
          let failed = 0;
          for (let b = bucket; b > bucket - pool.buckets; b--) {
            total += calls.get(`c${b}`) ?? 0;
            failed += calls.get(`f${b}`) ?? 0;
            if (pool.size > 0 && total >= pool.size) break;
          }
          if (total >= pool.minimumCalls && failed >= pool.failureRateThreshold * total) {
            strings.set(tripKey, { value: replica.id, until: t + Math.max(1, Math.round(pool.openFor)) });
            calls.clear();
          }
        }
      }
      if (report.opened > 0) reports.set(replica.id, t + report.opened);
      const need = replica.quorum >= 1 ? replica.quorum : Math.max(1, Math.ceil(replica.quorum * live.size));
      const expiries = [...reports.values()].sort((a, b) => b - a);
      let openFor = expiries.length >= need ? expiries[need - 1]! - t : 0;
      openFor = Math.max(openFor, pttl(tripKey));
      if (report.wantProbe > 0 && openFor === 0 && get(probeKey) === undefined) strings.set(probeKey, { value: replica.id, until: t + report.wantProbe });
      const holder = get(probeKey);
      const isolated = zset(key(name, 'cb:isolated')).size > 0;
      const view: FleetBreakerView = {
        openFor,
        probeHeldFor: holder !== undefined && holder !== replica.id ? pttl(probeKey) : 0,
        probing: holder === replica.id,
        isolated,
        replicas: live.size,
        closed: get(key(name, 'cb:closed')) ?? null,
      };
      return Promise.resolve(view);
    },
    syncBudget(name, _replica, rules, report) {
      operations++;
      const t = now();
      const h = hash(key(name, 'rb'));
      const bucket = Math.floor((t * 10) / rules.window);
      if (report.unused > 0 && report.unusedBucket > bucket - 11 && report.unusedBucket <= bucket) {
        h.set(`r${report.unusedBucket}`, (h.get(`r${report.unusedBucket}`) ?? 0) - report.unused);
      }
      if (report.deposits > 0) h.set(`q${bucket}`, (h.get(`q${bucket}`) ?? 0) + report.deposits);
      let requests = 0;
      let retries = 0;
      for (const [field, n] of h) {
        const b = Number(field.slice(1));
        if (b <= bucket - 11 || b > bucket) h.delete(field);
        else if (field.startsWith('q')) {
          if (b > bucket - 10) requests += n;
        } else retries += n;
      }
      const available = Math.max(0, Math.floor(rules.ratio * requests + rules.reserve - retries));
      const granted = Math.min(report.want, available);
      if (granted > 0) h.set(`r${bucket}`, (h.get(`r${bucket}`) ?? 0) + granted);
      const view: FleetBudgetView = { granted, requests, retries: Math.max(0, retries + granted), available: available - granted, bucket };
      return Promise.resolve(view);
    },
    syncLimiter(name, replica, rules, report) {
      operations++;
      const t = now();
      const live = zset(key(name, 'replicas'));
      live.set(replica.id, t + replica.liveFor);
      const tatKey = key(name, 'rl:tat');
      let tat = Number(get(tatKey) ?? t);
      if (report.unused > 0) tat = Math.max(t, tat - report.unused * rules.emission);
      const base = Math.max(tat, t);
      const fits = Math.floor((t - base) / rules.emission + rules.burst + 1e-9);
      const granted = Math.max(0, Math.min(report.want, fits));
      tat = base + granted * rules.emission;
      strings.set(tatKey, { value: String(tat), until: t + Math.max(1, Math.ceil(tat - t + rules.burst * rules.emission)) });
      const retryAfter = Math.ceil(Math.max(0, Math.max(tat, t) + rules.emission - rules.burst * rules.emission - t));
      return Promise.resolve({ granted, retryAfter, replicas: live.size });
    },
    isolate(name, token, ttl) {
      operations++;
      zset(key(name, 'cb:isolated')).set(token, now() + ttl);
      return Promise.resolve();
    },
    release(name, token) {
      operations++;
      zset(key(name, 'cb:isolated')).delete(token);
      return Promise.resolve();
    },
  };
}
