import type { Attachment } from './attachment.js';
import type { Metrics } from './metrics.js';
import type { HedgeSource, RateLimitSource, ThrottleSource } from './sources.js';

/**
 * The `firebreak_hedge*` metrics of one hedge: its calls, the hedged attempts it started and the
 * calls they won (the extra load is hedges over calls), and its current delay at scrape time.
 */
export function bindHedge(hedge: HedgeSource, metrics: Metrics, attachment: Attachment): void {
  const { name } = hedge;
  metrics.claim('hedge', name, hedge, attachment);
  const calls = attachment.tally(metrics.hedgeCalls, name);
  const hedges = attachment.tally(metrics.hedgeCount, name);
  const wins = attachment.tally(metrics.hedgeWins, name);
  attachment.add(hedge.onHedge(() => void hedges.count++));
  attachment.add(
    hedge.onSettled((event) => {
      calls.count++;
      if (event.winner !== undefined && event.winner > 1) wins.count++;
    }),
  );
  metrics.hedges.set(hedge, attachment.labels(name));
  attachment.add(() => metrics.hedges.delete(hedge));
}

/** The `firebreak_rate_limit_*` metrics of one rate limiter: rejections, and the wait of each admitted call. */
export function bindRateLimit(limiter: RateLimitSource, metrics: Metrics, attachment: Attachment): void {
  const rejections = attachment.tally(metrics.rateLimitRejections, limiter.name);
  const wait = attachment.series(metrics.rateLimitWait, { name: limiter.name });
  attachment.add(limiter.onRejected(() => void rejections.count++));
  attachment.add(limiter.onAdmitted((event) => wait.observe(event.waited / 1000)));
}

/** The `firebreak_throttle_*` metrics of one adaptive throttle: rejections, and its rejection probability at scrape time. */
export function bindThrottle(throttle: ThrottleSource, metrics: Metrics, attachment: Attachment): void {
  metrics.claim('adaptive throttle', throttle.name, throttle, attachment);
  const rejections = attachment.tally(metrics.throttleRejections, throttle.name);
  attachment.add(throttle.onRejected(() => void rejections.count++));
  metrics.throttles.set(throttle, attachment.labels(throttle.name));
  attachment.add(() => metrics.throttles.delete(throttle));
}
