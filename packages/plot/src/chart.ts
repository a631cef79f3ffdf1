// Line charts of training curves, rendered headless to SVG with Vega-Lite (no canvas needed), and to
// PNG with resvg when that optional package is present.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Point {
  x: number;
  y: number;
}
export interface Series {
  name: string;
  points: Point[];
}
export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Log scale on y (values <= 0 are dropped). */
  logY?: boolean;
  series: Series[];
}
export interface ChartOptions {
  title?: string;
  /** Width and height of each panel in pixels. */
  width?: number;
  height?: number;
}

interface Row {
  panel: string;
  series: string;
  x: number;
  y: number;
}

function panelSpec(p: Panel, o: ChartOptions): Record<string, unknown> {
  const values: Row[] = [];
  for (const s of p.series) {
    for (const pt of s.points) {
      if (!Number.isFinite(pt.x) || !Number.isFinite(pt.y)) continue;
      if (p.logY && pt.y <= 0) continue;
      values.push({ panel: p.title, series: s.name, x: pt.x, y: pt.y });
    }
  }
  return {
    title: p.title,
    width: o.width ?? 420,
    height: o.height ?? 260,
    data: { values },
    mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: p.xLabel },
      y: {
        field: 'y',
        type: 'quantitative',
        title: p.yLabel,
        scale: p.logY ? { type: 'log' } : { zero: false },
      },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** Renders one or more panels side by side into an SVG document. */
export async function renderSvg(panels: Panel[], options: ChartOptions = {}): Promise<string> {
  if (panels.length === 0) throw new Error('renderSvg: no panels');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    hconcat: panels.map((p) => panelSpec(p, options)),
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', background: 'white' },
  } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Converts SVG to PNG with @resvg/resvg-js; returns null when it is not installed. */
export async function svgToPng(svg: string): Promise<Buffer | null> {
  let mod: { Resvg: new (svg: string, opts?: object) => { render(): { asPng(): Buffer } } };
  try {
    mod = (await import('@resvg/resvg-js')) as unknown as typeof mod;
  } catch {
    return null;
  }
  const r = new mod.Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true } });
  return r.render().asPng();
}
