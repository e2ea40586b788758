/** The goodput of the simulation as an SVG grouped bar chart (one group per load). */
import type { SimulationFigures } from './simulation.js';

const COLOURS = ['#c0c0c0', '#808080', '#404040', '#1f77b4', '#2ca02c', '#ff7f0e'];

export function goodputSvg(figures: SimulationFigures): string {
  const loads = figures.rows[0]?.results.length ?? 0;
  const series = figures.rows.length;
  const width = 720;
  const height = 320;
  const left = 60;
  const bottom = 40;
  const top = 20;
  const plotHeight = height - top - bottom;
  const groupWidth = (width - left - 150) / loads;
  const barWidth = (groupWidth * 0.8) / series;
  const max = Math.max(...figures.rows.flatMap((row) => row.results.map((r) => r.goodput)));
  const scale = Math.ceil(max / 500) * 500;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  for (let tick = 0; tick <= scale; tick += 500) {
    const y = top + plotHeight - (tick / scale) * plotHeight;
    parts.push(`<line x1="${left}" x2="${left + groupWidth * loads}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">${tick}</text>`);
  }
  const loadsLabels = ['0.5x', '1x', '2x', '5x'];
  for (let load = 0; load < loads; load++) {
    const x0 = left + load * groupWidth + groupWidth * 0.1;
    figures.rows.forEach((row, index) => {
      const goodput = row.results[load]?.goodput ?? 0;
      const h = (goodput / scale) * plotHeight;
      parts.push(`<rect x="${(x0 + index * barWidth).toFixed(1)}" y="${(top + plotHeight - h).toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[index % COLOURS.length]}"/>`);
    });
    parts.push(`<text x="${(left + load * groupWidth + groupWidth / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${loadsLabels[load] ?? ''} C offered</text>`);
  }
  parts.push(`<text x="14" y="${top + plotHeight / 2}" transform="rotate(-90 14 ${top + plotHeight / 2})" text-anchor="middle">goodput (answers within ${figures.settings.deadlineMs} ms per s)</text>`);
  figures.rows.forEach((row, index) => {
    const y = top + 10 + index * 18;
    parts.push(`<rect x="${width - 140}" y="${y - 10}" width="12" height="12" fill="${COLOURS[index % COLOURS.length]}"/>`);
    parts.push(`<text x="${width - 122}" y="${y}">${row.id}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
