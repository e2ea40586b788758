import { Agent, request } from 'node:http';
import type { PlannedRequest } from './traffic.js';

/** What happened to one request, as its user saw it. */
export interface Sample {
  /** When it was due, in seconds from the run's start. */
  readonly at: number;
  readonly path: string;
  /** Answered 2xx within the deadline. */
  readonly ok: boolean;
  /** Answered by a fallback (`x-degraded`). */
  readonly degraded: boolean;
  /** From when it was due until the answer; the deadline for a request that got none in time. */
  readonly latencyMs: number;
  /** The HTTP status of the answer; 0 for none in time (or a network error). */
  readonly status: number;
}

/** A running load: the samples so far, and the promise of all of them. */
export interface Load {
  readonly samples: readonly Sample[];
  /** Requests sent so far. */
  readonly sent: () => number;
  /**
   * How late the generator sent its requests, p99 in ms: a few ms on a machine that keeps up;
   * hundreds when the machine is too busy for the run's figures to describe the services.
   */
  readonly lagP99Ms: () => number;
  readonly done: Promise<Sample[]>;
}

/**
 * Sends the planned requests to the gateway in open loop: each one at its time, whatever became
 * of the earlier ones, so that overload shows as it would with real users. Latency counts from
 * when a request was due (no coordinated omission). A user gives up after `deadlineMs`: the
 * request is then cut (the connection closed) and counts as failed, at the deadline.
 */
export function startLoad(gatewayUrl: string, plan: readonly PlannedRequest[], startedAt: number, deadlineMs: number): Load {
  const agent = new Agent({ keepAlive: true });
  const samples: Sample[] = [];
  let next = 0;
  let pending = 0;
  let finish: (samples: Sample[]) => void = () => undefined;
  const done = new Promise<Sample[]>((resolve) => (finish = resolve));

  const settle = (sample: Sample): void => {
    samples.push(sample);
    pending--;
    if (next === plan.length && pending === 0) {
      agent.destroy();
      finish(samples);
    }
  };

  const lateness: number[] = [];
  const send = (planned: PlannedRequest): void => {
    pending++;
    const due = startedAt + planned.at * 1_000;
    lateness.push(performance.now() - due);
    let settled = false;
    const end = (status: number, degraded: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const latencyMs = Math.min(performance.now() - due, deadlineMs);
      const inTime = latencyMs < deadlineMs;
      settle({ at: planned.at, path: planned.path, ok: inTime && status >= 200 && status < 300, degraded, latencyMs, status: inTime ? status : 0 });
    };
    const req = request(`${gatewayUrl}${planned.path}`, { agent, headers: { authorization: `Bearer ${planned.token}` } }, (res) => {
      res.resume();
      res.on('end', () => end(res.statusCode ?? 0, res.headers['x-degraded'] !== undefined));
      res.on('error', () => end(0, false));
    });
    req.on('error', () => end(0, false));
    const deadline = setTimeout(() => {
      end(0, false);
      req.destroy();
    }, Math.max(0, due + deadlineMs - performance.now()));
    req.end();
  };

  const tick = setInterval(() => {
    const elapsedS = (performance.now() - startedAt) / 1_000;
    while (next < plan.length && (plan[next] as PlannedRequest).at <= elapsedS) send(plan[next++] as PlannedRequest);
    if (next === plan.length) clearInterval(tick);
  }, 2);

  const lagP99Ms = (): number => {
    const sorted = [...lateness].sort((a, b) => a - b);
    return sorted.length === 0 ? 0 : Math.round(sorted[Math.ceil(0.99 * sorted.length) - 1] ?? 0);
  };
  return { samples, sent: () => next, lagP99Ms, done };
}
