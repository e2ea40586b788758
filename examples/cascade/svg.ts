import type { DemoReport, DemoRun } from './report-types.js';

const WIDTH = 920;
const PANEL_HEIGHT = 200;
const MARGIN = { left: 70, right: 30, top: 72, gap: 60, bottom: 50 };
const COLORS = { naive: '#d62728', protected: '#2a9d3a' } as const;

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
export function renderSvg(report: DemoReport, deadlineMs: number): string {
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
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">The auth outage: naive vs protected by firebreak${report.quick ? ' (quick)' : ''}, ${report.ratePerSecond} requests/s</text>`,
    legend(MARGIN.left, 44),
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
    for (const name of ['naive', 'protected'] as const) {
      const points = report.runs[name].timeline.map((point) => `${x(point.t + 0.5).toFixed(1)},${y(panel.value(point)).toFixed(1)}`);
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS[name]}" stroke-width="2"${name === 'naive' ? ' stroke-dasharray="6 3"' : ''}/>`);
    }
  }
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle" fill="#555">seconds from the start of the run (the same traffic in both runs)</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function legend(left: number, y: number): string {
  return [
    `<line x1="${left}" x2="${left + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${COLORS.naive}" stroke-width="2" stroke-dasharray="6 3"/>`,
    `<text x="${left + 30}" y="${y}">naive</text>`,
    `<line x1="${left + 90}" x2="${left + 114}" y1="${y - 4}" y2="${y - 4}" stroke="${COLORS.protected}" stroke-width="2"/>`,
    `<text x="${left + 120}" y="${y}">protected by firebreak</text>`,
  ].join('\n');
}
