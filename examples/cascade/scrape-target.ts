import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the demo tells Prometheus what to scrape: `examples/observability/prometheus.yml` reads
 * this file (`file_sd_configs`) and picks up a change within seconds, whatever free port the
 * protected gateway got.
 */
export const SCRAPE_TARGETS_FILE = fileURLToPath(new URL('../observability/targets/demo.json', import.meta.url));

/** Publishes the protected gateway, which serves firebreak's metrics on GET /metrics, as the target. */
export function publishScrapeTarget(gatewayUrl: string): void {
  const { host } = new URL(gatewayUrl);
  mkdirSync(dirname(SCRAPE_TARGETS_FILE), { recursive: true });
  writeFileSync(SCRAPE_TARGETS_FILE, `${JSON.stringify([{ targets: [host], labels: { service: 'gateway' } }], null, 2)}\n`);
}
