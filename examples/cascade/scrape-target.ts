import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the demo tells Prometheus what to scrape: `examples/observability/prometheus.yml` reads
 * this file (`file_sd_configs`) and picks up a change within seconds, whatever free ports the
 * protected services got. `FIREBREAK_DEMO_TARGETS` puts it elsewhere (the tests do).
 */
export const SCRAPE_TARGETS_FILE = process.env.FIREBREAK_DEMO_TARGETS ?? fileURLToPath(new URL('../observability/targets/demo.json', import.meta.url));

/** A process that serves firebreak's metrics on GET /metrics. */
export interface ScrapeTarget {
  /** Its base URL, such as `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The `service` label its series get in Prometheus. */
  readonly service: string;
}

let published = false;

/** Publishes the targets for Prometheus: the protected gateway and the services' calls to auth. */
export function publishScrapeTargets(targets: readonly ScrapeTarget[]): void {
  published = true;
  const groups = targets.map(({ url, service }) => ({ targets: [new URL(url).host], labels: { service } }));
  mkdirSync(dirname(SCRAPE_TARGETS_FILE), { recursive: true });
  writeFileSync(SCRAPE_TARGETS_FILE, `${JSON.stringify(groups, null, 2)}\n`);
}

/**
 * Removes the targets this process published, once their processes are gone, so that Prometheus
 * stops scraping dead ports.
 */
export function clearScrapeTargets(): void {
  if (published) rmSync(SCRAPE_TARGETS_FILE, { force: true });
}
