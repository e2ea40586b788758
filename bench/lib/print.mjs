// Prints the figures of a run as plain-text tables.

const PEERS = ['firebreak', 'cockatiel', 'opossum'];

const time = (ns) => (ns === undefined ? '' : ns < 1_000 ? `${ns.toFixed(0)} ns` : `${(ns / 1_000).toFixed(2)} µs`);
const bytes = (b) => (b === undefined ? '' : b < 1_024 ? `${b.toFixed(0)} B` : `${(b / 1_024).toFixed(2)} KiB`);
const ratio = (r) => (r === null || r === undefined || !Number.isFinite(r) ? 'n/a' : r < 0.1 ? r.toFixed(4) : r.toFixed(3));

function table(headers, lines) {
  const widths = headers.map((header, i) => Math.max(header.length, ...lines.map((line) => String(line[i] ?? '').length)));
  const format = (cells) => cells.map((cell, i) => String(cell ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [format(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}

function others(values, unit) {
  return Object.entries(values)
    .filter(([name]) => !PEERS.includes(name))
    .map(([name, value]) => `${name} ${unit(value)}`)
    .join(', ');
}

const ratios = (row) =>
  Object.entries(row.ratios ?? {})
    .map(([name, value]) => `${name} ${ratio(value)}`)
    .join(', ');

function peerTable(rows, key, unit) {
  return table(
    ['row', ...PEERS, 'other', 'ratios (same run)'],
    rows.map((row) =>
      row.pending ? [row.title, '', '', '', `pending: ${row.pending}`, ''] : [row.title, ...PEERS.map((peer) => unit(row[key][peer])), others(row[key], unit), ratios(row)],
    ),
  );
}

export function printReport(figures) {
  const out = [];
  out.push(`firebreak benchmarks: node ${figures.node}, ${figures.platform}${figures.quick ? ', QUICK (shortened, figures are indicative only)' : ''}`);
  const { calls, memory, concurrency, soak } = figures;
  if (calls) {
    out.push('', `Per call on \`async () => 1\` (median of ${calls.settings.rounds} round(s); event loop turn every 256 calls, subtracted)`);
    out.push(peerTable(calls.rows, 'nsPerCall', time));
  }
  if (memory) {
    out.push('', `Retained heap per instance (${memory.instances.toLocaleString('en')} instances, after one call each and GC)`);
    out.push(peerTable(memory.rows, 'bytesPerInstance', bytes));
  }
  if (concurrency) {
    for (const row of concurrency.rows) {
      out.push('', `${row.title} (median of ${concurrency.rounds} round(s))`);
      if (row.pending) {
        out.push(`pending: ${row.pending}`);
        continue;
      }
      out.push(
        table(
          ['contender', 'wall', 'CPU', 'loop delay mean', 'loop delay max'],
          Object.entries(row.contenders).map(([name, c]) => [name, `${c.wallMs.toFixed(1)} ms`, `${c.cpuMs.toFixed(1)} ms`, `${c.loopDelayMeanMs.toFixed(2)} ms`, `${c.loopDelayMaxMs.toFixed(2)} ms`]),
        ),
      );
      out.push(`ratios: ${ratios(row)}`);
    }
  }
  if (soak) {
    for (const row of soak.rows) {
      out.push('', row.title);
      if (row.pending) {
        out.push(`pending: ${row.pending}`);
        continue;
      }
      out.push(`${row.calls.toLocaleString('en')} calls in ${row.seconds.toFixed(1)} s; outcomes: ${Object.entries(row.outcomes).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')}`);
      out.push(`heap after GC: ${bytes(row.heapAfterFirst)} after ${row.firstCalls.toLocaleString('en')} calls, ${bytes(row.heapAtEnd)} at the end; ${ratios(row)}`);
    }
  }
  if (figures.keyed) {
    for (const row of figures.keyed.rows) {
      out.push('', row.title);
      const entries = Object.entries(row.contenders);
      if (row.id === 'fetch') {
        out.push(table(['contender', 'throughput', 'p99'], entries.map(([name, c]) => [name, `${c.requestsPerSecond.toFixed(0)} req/s`, `${c.p99Ms.toFixed(2)} ms`])));
      } else {
        out.push(table(['contender', 'per entry'], entries.map(([name, c]) => [name, bytes(c.bytes)])));
      }
      out.push(`ratios: ${ratios(row)}`);
    }
  }
  out.push('', 'Targets');
  out.push(
    table(
      ['target', 'ratio', 'limit', 'status'],
      figures.targets.map((t) => [t.description, ratio(t.ratio), ratio(t.limit), t.status]),
    ),
  );
  out.push('', `total ${figures.seconds.toFixed(1)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}
