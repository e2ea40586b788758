import { createHash } from 'node:crypto';

/** A Lua script with its SHA1, run with EVALSHA and loaded with EVAL when the server lacks it. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The server's time in ms: every expiry is computed on Redis's one clock, never a replica's. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * One breaker sync. Openings are reports with their own expiry (a relative PX from the replica,
 * turned into server time here); the fleet is open while `quorum` reports are alive, for as long
 * as the quorum-th latest lasts. The probe lease is `SET NX PX` with the replica's id as token,
 * taken only when the fleet is not open; a good probe deletes the reports and leaves a close
 * token; a failed one keeps the lease for the prober's new open time (one probe per open period).
 *
 * The replicas' calls are also pooled in one fleet window (buckets: fields of one hash), judged
 * newest bucket first: over the whole window for a time window, over the newest buckets holding
 * `size` calls for a count window. When they reach `minimumCalls` at the failure rate, the fleet
 * trips (a key with its own PX).
 *
 * KEYS: reports (zset id → expiry), probe lease, close token, isolations (zset token → expiry),
 * replicas (zset id → expiry), pooled calls (hash c<bucket> / f<bucket>), trip.
 * ARGV: id, opened ms, probe ('s' | 'f' | ''), lease ms wanted (0: none), quorum, live ms, close
 * token ms, calls, failures, pool window ms (0: no pooling), minimum calls, failure rate, trip ms,
 * count window size (0: a time window), buckets.
 * Returns: { openFor, probeHeldFor, probing, isolated, replicas, closeToken }.
 */
export const BREAKER_SYNC = script(`${NOW}
local id = ARGV[1]
local opened = tonumber(ARGV[2])
local liveFor = tonumber(ARGV[6])
redis.call('ZADD', KEYS[5], now + liveFor, id)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
redis.call('PEXPIRE', KEYS[5], liveFor)
local live = redis.call('ZCARD', KEYS[5])
if ARGV[3] == 's' then
  redis.call('DEL', KEYS[1], KEYS[6], KEYS[7])
  if redis.call('GET', KEYS[2]) == id then redis.call('DEL', KEYS[2]) end
  redis.call('SET', KEYS[3], id .. ':' .. now, 'PX', ARGV[7])
elseif ARGV[3] == 'f' and opened > 0 and redis.call('GET', KEYS[2]) == id then
  redis.call('PEXPIRE', KEYS[2], opened)
end
if opened > 0 then redis.call('ZADD', KEYS[1], now + opened, id) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local poolWindow = tonumber(ARGV[10])
local calls = tonumber(ARGV[8])
if poolWindow > 0 and calls > 0 then
  local buckets = tonumber(ARGV[15])
  local bucket = math.floor(now * buckets / poolWindow)
  redis.call('HINCRBY', KEYS[6], 'c' .. bucket, calls)
  local failures = tonumber(ARGV[9])
  if failures > 0 then redis.call('HINCRBY', KEYS[6], 'f' .. bucket, failures) end
  redis.call('PEXPIRE', KEYS[6], poolWindow + 1000)
  if redis.call('EXISTS', KEYS[7]) == 0 then
    local counts = {}
    local fields = redis.call('HGETALL', KEYS[6])
    for i = 1, #fields, 2 do
      local b = tonumber(string.sub(fields[i], 2))
      if b <= bucket - buckets or b > bucket then
        redis.call('HDEL', KEYS[6], fields[i])
      else
        counts[fields[i]] = tonumber(fields[i + 1])
      end
    end
    local size = tonumber(ARGV[14])
    local total = 0
    local failed = 0
    for b = bucket, bucket - buckets + 1, -1 do
      total = total + (counts['c' .. b] or 0)
      failed = failed + (counts['f' .. b] or 0)
      if size > 0 and total >= size then break end
    end
    if total >= tonumber(ARGV[11]) and failed >= tonumber(ARGV[12]) * total then
      redis.call('SET', KEYS[7], id, 'PX', ARGV[13])
      redis.call('DEL', KEYS[6])
    end
  end
end
local quorum = tonumber(ARGV[5])
local need = quorum
if quorum < 1 then need = math.max(1, math.ceil(quorum * live)) end
local openFor = 0
local nth = redis.call('ZREVRANGE', KEYS[1], need - 1, need - 1, 'WITHSCORES')
if nth[2] then openFor = tonumber(nth[2]) - now end
openFor = math.max(openFor, redis.call('PTTL', KEYS[7]))
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if last[2] then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now)) end
local lease = tonumber(ARGV[4])
if lease > 0 and openFor == 0 then redis.call('SET', KEYS[2], id, 'NX', 'PX', lease) end
local holder = redis.call('GET', KEYS[2])
local probing = 0
local heldFor = 0
if holder == id then probing = 1 elseif holder then heldFor = math.max(0, redis.call('PTTL', KEYS[2])) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local isolated = redis.call('ZCARD', KEYS[4])
local closed = redis.call('GET', KEYS[3]) or ''
return { openFor, heldFor, probing, isolated, live, closed }
`);

/**
 * One budget sync: adds the replica's requests to the current bucket (10 per window, fields of
 * one hash), gives back its unused retries, and grants what it asks for within
 * ratio × requests + reserve − retries over the window.
 *
 * KEYS: the budget's hash (q<bucket> → requests, r<bucket> → retries).
 * ARGV: deposits, unused, unused's bucket, wanted, ratio, reserve, window ms.
 * Returns: { granted, requests, retries, available, bucket }.
 */
export const BUDGET_SYNC = script(`${NOW}
local window = tonumber(ARGV[7])
local bucket = math.floor(now * 10 / window)
local unused = tonumber(ARGV[2])
local unusedBucket = tonumber(ARGV[3])
if unused > 0 and unusedBucket > bucket - 11 and unusedBucket <= bucket then
  redis.call('HINCRBY', KEYS[1], 'r' .. unusedBucket, -unused)
end
local deposits = tonumber(ARGV[1])
if deposits > 0 then redis.call('HINCRBY', KEYS[1], 'q' .. bucket, deposits) end
local requests = 0
local retries = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local b = tonumber(string.sub(fields[i], 2))
  local n = tonumber(fields[i + 1])
  if b <= bucket - 11 or b > bucket then
    redis.call('HDEL', KEYS[1], fields[i])
  elseif string.sub(fields[i], 1, 1) == 'q' then
    if b > bucket - 10 then requests = requests + n end
  else
    retries = retries + n
  end
end
local available = math.max(0, math.floor(tonumber(ARGV[5]) * requests + tonumber(ARGV[6]) - retries))
local granted = math.min(tonumber(ARGV[4]), available)
if granted > 0 then redis.call('HINCRBY', KEYS[1], 'r' .. bucket, granted) end
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1.1) + 1000)
return { granted, requests, math.max(0, retries + granted), available - granted, bucket }
`);

/** Adds or renews an isolation. KEYS: isolations. ARGV: token, ttl ms. */
export const ISOLATE = script(`${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if last[2] then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now)) end
return 1
`);

/** Ends an isolation. KEYS: isolations. ARGV: token. */
export const RELEASE = script(`
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`);

/**
 * One rate limiter sync: GCRA (src/rate-limiter/gcra.ts) for a batch of admissions, on the
 * server's time. Unused admissions of the last batch are given back (the theoretical arrival
 * time moves back, never before now); then as many of the wanted admissions as fit are granted.
 *
 * KEYS: the theoretical arrival time, replicas (zset id → expiry).
 * ARGV: id, emission ms, burst, wanted, unused, live ms.
 * Returns: { granted, retryAfter ms, replicas }.
 */
export const LIMITER_SYNC = script(`${NOW}
local liveFor = tonumber(ARGV[6])
redis.call('ZADD', KEYS[2], now + liveFor, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('PEXPIRE', KEYS[2], liveFor)
local live = redis.call('ZCARD', KEYS[2])
local emission = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
local unused = tonumber(ARGV[5])
if unused > 0 then tat = math.max(now, tat - unused * emission) end
local base = math.max(tat, now)
local fits = math.floor((now - base) / emission + burst + 1e-9)
local granted = math.max(0, math.min(tonumber(ARGV[4]), fits))
tat = base + granted * emission
local retryAfter = math.max(0, math.max(tat, now) + emission - burst * emission - now)
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.max(1, math.ceil(tat - now + burst * emission)))
return { granted, math.ceil(retryAfter), live }
`);
