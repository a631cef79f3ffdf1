// A small grouped bar chart as SVG (log-scale y), written by hand: no plotting dependency.
export interface BarGroup {
  label: string;
  /** caption under the group, e.g. a ratio */
  note?: string;
  bars: Array<{ series: string; value: number | null }>;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmt(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(1);
  return v.toPrecision(2);
}

export function barChartSvg(title: string, subtitle: string, yLabel: string, groups: BarGroup[]): string {
  const series = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v): v is number => v !== null && v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
  const W = 960;
  const H = 460;
  const left = 80;
  const right = 20;
  const top = 70;
  const bottom = 90;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const y = (v: number) => top + plotH * (1 - (Math.log10(v) - lo) / (hi - lo));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);
  for (let e = lo; e <= hi; e++) {
    const yy = y(10 ** e);
    out.push(`<line x1="${left}" x2="${W - right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#444">${fmt(10 ** e)}</text>`);
  }
  out.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#444">${esc(yLabel)}</text>`);
  const groupW = plotW / groups.length;
  const barW = Math.min(60, (groupW * 0.7) / series.length);
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, si) => {
      const v = g.bars.find((b) => b.series === s)?.value ?? null;
      const x = x0 + si * barW;
      if (v === null || !(v > 0)) {
        out.push(`<text x="${x + barW / 2}" y="${top + plotH - 4}" text-anchor="middle" fill="#999">n/a</text>`);
        return;
      }
      const yy = y(v);
      out.push(`<rect x="${x + 2}" y="${yy}" width="${barW - 4}" height="${top + plotH - yy}" fill="${COLORS[si % COLORS.length]}"/>`);
      out.push(`<text x="${x + barW / 2}" y="${yy - 4}" text-anchor="middle">${fmt(v)}</text>`);
    });
    const cx = left + gi * groupW + groupW / 2;
    out.push(`<text x="${cx}" y="${top + plotH + 20}" text-anchor="middle" font-weight="bold">${esc(g.label)}</text>`);
    if (g.note) out.push(`<text x="${cx}" y="${top + plotH + 38}" text-anchor="middle" fill="#333">${esc(g.note)}</text>`);
  });
  out.push(`<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
  // Legend entries advance by their (estimated) text width and wrap onto a second row.
  let lx = left;
  let ly = H - 40;
  series.forEach((s, si) => {
    const w = 18 + 7 * s.length + 24;
    if (lx + w > W - right) {
      lx = left;
      ly += 18;
    }
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 18}" y="${ly}">${esc(s)}</text>`);
    lx += w;
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
