/**
 * The stand-in for a database, over HTTP on 127.0.0.1: a primary that takes the writes and
 * answers reads, and a read replica that copies the primary's record every `replicationMs`.
 *
 * `setPrimaryDown(true)` makes the primary stop answering (requests hang, as during a failover or
 * a network partition); replication stops with it, so the replica keeps serving its last copy,
 * which grows older. `primaryRequests` counts every request that reached the primary.
 */
import { createServer, type ServerResponse } from 'node:http';
import { close, listen } from '../shared/http.js';

/** A user's row, as both servers return it. */
export interface UserRow {
  readonly id: number;
  readonly name: string;
  readonly balanceCents: number;
  /** Bumped by every write on the primary. */
  readonly version: number;
}

/** What the replica returns: its copy and how old that copy is. */
export interface ReplicaRow extends UserRow {
  readonly ageMs: number;
}

/** The two servers and their switch. */
export interface Database {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  /** Requests that reached the primary, answered or not. */
  readonly primaryRequests: number;
  setPrimaryDown(down: boolean): void;
  close(): Promise<void>;
}

/** Starts the primary and the replica on free ports. */
export async function startDatabase({ writeEveryMs = 50, replicationMs = 100 } = {}): Promise<Database> {
  let row: UserRow = { id: 42, name: 'Ada', balanceCents: 10_000, version: 1 };
  let copy = row;
  let copiedAt = performance.now();
  let down = false;
  let primaryRequests = 0;

  const primary = createServer((req, res) => {
    primaryRequests++;
    if (down) return; // hangs: the caller's timeout has to end the wait
    json(res, row);
  });
  const replica = createServer((_req, res) => {
    const reply: ReplicaRow = { ...copy, ageMs: Math.round(performance.now() - copiedAt) };
    json(res, reply);
  });

  const writes = setInterval(() => {
    if (!down) row = { ...row, balanceCents: row.balanceCents + 100, version: row.version + 1 };
  }, writeEveryMs);
  const replication = setInterval(() => {
    if (down) return;
    copy = row;
    copiedAt = performance.now();
  }, replicationMs);

  const [primaryUrl, replicaUrl] = await Promise.all([listen(primary), listen(replica)]);
  return {
    primaryUrl,
    replicaUrl,
    get primaryRequests() {
      return primaryRequests;
    },
    setPrimaryDown(value) {
      down = value;
    },
    async close() {
      clearInterval(writes);
      clearInterval(replication);
      await Promise.all([close(primary), close(replica)]);
    },
  };
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
