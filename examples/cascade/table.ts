import type { DemoReport, DemoRun, EndpointFigures, PhaseName } from './report-types.js';

const percent = (rate: number): string => `${(rate * 100).toFixed(1)} %`;
const ms = (value: number): string => `${Math.round(value)} ms`;

function cells(figures: EndpointFigures | undefined): string[] {
  if (figures === undefined) return ['-', '-', '-', '-'];
  const fallback = figures.ok === 0 ? '' : `${Math.round((100 * figures.degraded) / figures.ok)} %`;
  return [percent(figures.successRate), fallback, ms(figures.p50Ms), ms(figures.p99Ms)];
}

function recovery(run: DemoRun, afterS: number): string {
  return run.recoverySeconds === null ? `not within ${afterS} s` : `${run.recoverySeconds.toFixed(1)} s`;
}

/** The report as a table: per phase and endpoint, the naive run beside the protected one. */
export function renderTable(report: DemoReport): string {
  const { naive, protected: guarded } = report.runs;
  const header = ['phase', 'endpoint', 'auth?', 'success', 'fallback', 'p50', 'p99', '│', 'success', 'fallback', 'p50', 'p99'];
  const rows: string[][] = [];
  for (const { name } of report.phases) {
    const paths = Object.keys(naive.phases[name].endpoints);
    for (const [i, path] of paths.entries()) {
      const needsAuth = naive.phases[name].endpoints[path]?.needsAuth ?? false;
      rows.push([i === 0 ? name : '', path, needsAuth ? 'yes' : 'no', ...cells(naive.phases[name].endpoints[path]), '│', ...cells(guarded.phases[name].endpoints[path])]);
    }
    rows.push(['', 'auth calls per request', '', ...pad(naive.phases[name].authCallsPerRequest.toFixed(2)), '│', ...pad(guarded.phases[name].authCallsPerRequest.toFixed(2))]);
  }
  const recoveredPhase = report.phases.find((phase) => phase.name === ('recovered' satisfies PhaseName));
  const afterS = recoveredPhase === undefined ? 0 : recoveredPhase.endS - recoveredPhase.startS;
  rows.push(['recovery', 'to >= 99 % on every endpoint', '', ...pad(recovery(naive, afterS)), '│', ...pad(recovery(guarded, afterS))]);

  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const naiveWidth = widths.slice(3, 7).reduce((sum, width) => sum + width + 2, -2);
  const lead = widths.slice(0, 3).reduce((sum, width) => sum + width + 2, 0);
  const title = `${' '.repeat(lead)}${'NAIVE'.padStart(Math.floor((naiveWidth + 5) / 2)).padEnd(naiveWidth)}  │  ${'PROTECTED (firebreak)'}`;
  return [title, line(header), ...rows.map(line), '', ...LEGEND].join('\n');
}

/** What each column means, printed under the table. */
const LEGEND = [
  'success   requests answered 2xx within the client deadline',
  'fallback  of those successes, the share a fallback served (a user whose token auth validated',
  '          recently, served from the service\'s token cache while auth could not answer); empty',
  '          when nothing succeeded',
  'p50, p99  latency of every request, one without an answer in time counted at the deadline',
];

function pad(value: string): string[] {
  return ['', '', '', value];
}
