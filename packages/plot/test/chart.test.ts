import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSvg, writeChart, type Panel } from '@deeprelax/plot';

const panel: Panel = {
  title: 'validation error',
  xLabel: 'effective epochs',
  yLabel: 'error (%)',
  logY: true,
  series: [
    { name: 'sgd', points: [1, 2, 3].map((x) => ({ x, y: 10 / x })) },
    { name: 'esgd', points: [{ x: 20, y: 2 }, { x: 40, y: NaN }, { x: 60, y: 0 }] },
  ],
};

test('renders an SVG with the titles, axis labels and both series', async () => {
  const svg = await renderSvg([panel, { ...panel, title: 'train loss', logY: false }], { title: 'run 1' });
  assert.match(svg, /^<svg/);
  for (const s of ['validation error', 'train loss', 'effective epochs', 'error (%)', 'sgd', 'esgd', 'run 1']) {
    assert.ok(svg.includes(s), `svg should contain "${s}"`);
  }
});

test('writeChart writes SVG, and PNG (or an SVG fallback) to disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plot-'));
  try {
    const [svgPath] = await writeChart(join(dir, 'a', 'curve.svg'), [panel]);
    assert.match(await readFile(svgPath, 'utf8'), /<svg/);
    const [pngPath] = await writeChart(join(dir, 'curve.png'), [panel]);
    const bytes = await readFile(pngPath);
    if (pngPath.endsWith('.png')) assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    else assert.match(bytes.toString('utf8'), /<svg/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('no panels is an error', async () => {
  await assert.rejects(renderSvg([]), /no panels/);
});
