import type { DemoReport, DemoRun } from './report-types.js';

const WIDTH = 920;
const PANEL_HEIGHT = 200;
const MARGIN = { left: 70, right: 30, top: 72, gap: 60, bottom: 50 };
/** Each run's line: color, dash, and legend (the fleet demo adds `local` and `fleet`). */
const LINES: Record<string, { color: string; dash: string; label: string }> = {
  naive: { color: '#d62728', dash: '6 3', label: 'naive' },
  protected: { color: '#2a9d3a', dash: '', label: 'protected by firebreak' },
  local: { color: '#e07b00', dash: '2 2', label: 'firebreak, each replica alone' },
  fleet: { color: '#2a9d3a', dash: '', label: 'firebreak fleet (Redis)' },
};

/** What the chart reads: the runs to draw, by name, and the phases. */
export interface ChartReport {
  readonly quick: boolean;
  readonly ratePerSecond: number;
  readonly phases: DemoReport['phases'];
  readonly runs: Readonly<Record<string, DemoRun>>;
}

interface Panel {
  readonly title: string;
  readonly top: number;
  readonly max: number;
  readonly ticks: readonly number[];
  readonly label: (value: number) => string;
  readonly value: (point: DemoRun['timeline'][number]) => number;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The timeline of both runs as an SVG chart: the success rate and the p99 latency of each second,
 * with the outage shaded.
 */
export function renderSvg(report: ChartReport, deadlineMs: number, title = 'The auth outage: naive vs protected by firebreak'): string {
  const endS = report.phases.reduce((end, phase) => Math.max(end, phase.endS), 0);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (t: number): number => MARGIN.left + (t / endS) * plotWidth;
  const panels: Panel[] = [
    { title: 'Success rate per second (answered 2xx within the deadline)', top: MARGIN.top, max: 1, ticks: [0, 0.25, 0.5, 0.75, 1], label: (v) => `${v * 100} %`, value: (p) => p.successRate },
    {
      title: `p99 latency per second (a request without an answer counts at the ${deadlineMs} ms deadline)`,
      top: MARGIN.top + PANEL_HEIGHT + MARGIN.gap,
      max: deadlineMs,
      ticks: [0, deadlineMs / 4, deadlineMs / 2, (3 * deadlineMs) / 4, deadlineMs],
      label: (v) => `${v} ms`,
      value: (p) => p.p99Ms,
    },
  ];
  const height = MARGIN.top + 2 * PANEL_HEIGHT + MARGIN.gap + MARGIN.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escape(title)}${report.quick ? ' (quick)' : ''}, ${report.ratePerSecond} requests/s</text>`,
    legend(MARGIN.left, 44, Object.keys(report.runs)),
  ];
  const tickEvery = endS > 30 ? 5 : 2;
  for (const panel of panels) {
    const y = (value: number): number => panel.top + PANEL_HEIGHT - (Math.min(value, panel.max) / panel.max) * PANEL_HEIGHT;
    parts.push(`<text x="${MARGIN.left}" y="${panel.top - 8}" font-weight="bold">${escape(panel.title)}</text>`);
    for (const phase of report.phases.filter((p) => p.name === 'outage')) {
      parts.push(`<rect x="${x(phase.startS)}" y="${panel.top}" width="${x(phase.endS) - x(phase.startS)}" height="${PANEL_HEIGHT}" fill="#f4d35e" fill-opacity="0.25"/>`);
      parts.push(`<text x="${(x(phase.startS) + x(phase.endS)) / 2}" y="${panel.top + PANEL_HEIGHT / 2 + 4}" text-anchor="middle" fill="#8a6d00">auth hangs</text>`);
    }
    for (const tick of panel.ticks) {
      parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
      parts.push(`<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end" fill="#555">${panel.label(tick)}</text>`);
    }
    for (let t = 0; t <= endS; t += tickEvery) {
      parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${panel.top + PANEL_HEIGHT}" y2="${panel.top + PANEL_HEIGHT + 4}" stroke="#555"/>`);
      parts.push(`<text x="${x(t)}" y="${panel.top + PANEL_HEIGHT + 16}" text-anchor="middle" fill="#555">${t} s</text>`);
    }
    parts.push(`<rect x="${MARGIN.left}" y="${panel.top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#999"/>`);
    for (const [name, run] of Object.entries(report.runs)) {
      const points = run.timeline.map((point) => `${x(point.t + 0.5).toFixed(1)},${y(panel.value(point)).toFixed(1)}`);
      const line = lineOf(name);
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${line.color}" stroke-width="2"${line.dash ? ` stroke-dasharray="${line.dash}"` : ''}/>`);
    }
  }
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle" fill="#555">seconds from the start of the run (the same traffic in both runs)</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function lineOf(name: string): { color: string; dash: string; label: string } {
  return LINES[name] ?? { color: '#555', dash: '', label: name };
}

function legend(left: number, y: number, names: readonly string[]): string {
  const parts: string[] = [];
  let at = left;
  for (const name of names) {
    const line = lineOf(name);
    parts.push(`<line x1="${at}" x2="${at + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${line.color}" stroke-width="2"${line.dash ? ` stroke-dasharray="${line.dash}"` : ''}/>`);
    parts.push(`<text x="${at + 30}" y="${y}">${escape(line.label)}</text>`);
    at += 40 + line.label.length * 7;
  }
  return parts.join('\n');
}
