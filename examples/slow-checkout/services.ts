/**
 * The two services of the guide, over HTTP on 127.0.0.1:
 * - `shipping-quotes`, a third-party API that answers `GET /quote` after `latencyMs`, which the
 *   guide raises to make it slow. It counts the requests it holds at once (its `peak`).
 * - `checkout`, which prices a cart: every `GET /checkout` asks for a shipping quote through the
 *   function it is given (plain `fetch`, or `fetch` behind firebreak) and answers with the total.
 */
import { createServer, type ServerResponse } from 'node:http';
import { close, listen } from '../shared/http.js';

/** A shipping quote. `flatRate` marks the default used when no quote came in time. */
export interface Quote {
  readonly carrier: string;
  readonly priceCents: number;
  readonly flatRate?: boolean;
}

/** What `GET /checkout` answers. */
export interface CheckoutAnswer {
  readonly totalCents: number;
  readonly shipping: Quote;
}

/** The shipping-quotes API and its latency switch. */
export interface ShippingService {
  readonly url: string;
  /** Milliseconds before each answer; a change applies to requests that arrive afterwards. */
  latencyMs: number;
  /** The most requests it held at once since the last `resetPeak()`. */
  readonly peak: number;
  resetPeak(): void;
  close(): Promise<void>;
}

/** A running checkout service. */
export interface CheckoutService {
  readonly url: string;
  close(): Promise<void>;
}

const CART_CENTS = 4_990;

/** Starts the shipping-quotes API on a free port. */
export async function startShipping(latencyMs: number): Promise<ShippingService> {
  let open = 0;
  let peak = 0;
  const server = createServer((_req, res) => {
    open++;
    peak = Math.max(peak, open);
    const answer = setTimeout(() => json(res, 200, { carrier: 'ParcelCo', priceCents: 750 } satisfies Quote), service.latencyMs);
    res.on('close', () => {
      open--;
      clearTimeout(answer); // the caller hung up: no answer to send
    });
  });
  const service: ShippingService = {
    url: await listen(server),
    latencyMs,
    get peak() {
      return peak;
    },
    resetPeak() {
      peak = open;
    },
    close: () => close(server),
  };
  return service;
}

/** Starts a checkout service that gets its shipping quotes from `quote`. */
export async function startCheckout(quote: () => Promise<Quote>): Promise<CheckoutService> {
  const server = createServer((_req, res) => {
    quote().then(
      (shipping) => json(res, 200, { totalCents: CART_CENTS + shipping.priceCents, shipping } satisfies CheckoutAnswer),
      () => json(res, 502, { error: 'no shipping quote' }),
    );
  });
  return { url: await listen(server), close: () => close(server) };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
