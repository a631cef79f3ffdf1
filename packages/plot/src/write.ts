import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { renderSvg, svgToPng, type ChartOptions, type Panel } from './chart.js';

/**
 * Writes a chart to `path`. A .svg path writes SVG; a .png path writes PNG when resvg is available
 * and falls back to SVG next to it otherwise. Returns the paths written.
 */
export async function writeChart(path: string, panels: Panel[], options: ChartOptions = {}): Promise<string[]> {
  await mkdir(dirname(path), { recursive: true });
  const svg = await renderSvg(panels, options);
  const ext = extname(path).toLowerCase();
  if (ext === '.png') {
    const png = await svgToPng(svg);
    if (png) {
      await writeFile(path, png);
      return [path];
    }
    const alt = path.slice(0, -ext.length) + '.svg';
    await writeFile(alt, svg);
    return [alt];
  }
  await writeFile(path, svg);
  return [path];
}
