// Curves of a distributed job from its metric events: x's validation error against effective
// epochs and against wall-clock, and the replicas' mean training loss; plus a metrics.jsonl.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeChart, type Panel } from '@deeprelax/plot';
import type { MetricSample__Output } from '@deeprelax/rpc';

export interface JobPlotFiles {
  plots: string[];
  metrics: string;
}

function series(metrics: MetricSample__Output[], name: string, x: (m: MetricSample__Output) => number, scale = 1) {
  const pts = metrics.filter((m) => m.name === name && !m.workerId).map((m) => ({ x: x(m), y: scale * m.value }));
  pts.sort((a, b) => a.x - b.x);
  return pts;
}

export async function writeJobPlots(dir: string, jobId: string, title: string, metrics: MetricSample__Output[], format: 'svg' | 'png' = 'svg'): Promise<JobPlotFiles> {
  mkdirSync(dir, { recursive: true });
  const metricsPath = join(dir, `${jobId}-metrics.jsonl`);
  writeFileSync(
    metricsPath,
    metrics
      .map((m) =>
        JSON.stringify({ name: m.name, value: m.value, round: Number(m.round), epoch: m.epoch, effectiveEpoch: m.effectiveEpoch, wallMs: Number(m.wallMs), workerId: m.workerId || undefined }),
      )
      .join('\n') + (metrics.length ? '\n' : ''),
  );
  const eff = (m: MetricSample__Output) => m.effectiveEpoch;
  const wall = (m: MetricSample__Output) => Number(m.wallMs) / 1000;
  const panels: Panel[] = [
    {
      title: 'validation error of x vs effective epochs',
      xLabel: 'effective epochs',
      yLabel: 'error (%)',
      logY: true,
      series: [{ name: 'x (validation)', points: series(metrics, 'val_error', eff, 100) }],
    },
    {
      title: 'validation error of x vs wall-clock',
      xLabel: 'wall-clock (s)',
      yLabel: 'error (%)',
      logY: true,
      series: [{ name: 'x (validation)', points: series(metrics, 'val_error', wall, 100) }],
    },
    {
      title: 'training loss (mean over replicas)',
      xLabel: 'effective epochs',
      yLabel: 'cross-entropy',
      logY: true,
      series: [{ name: 'train loss', points: series(metrics, 'train_loss', eff) }],
    },
  ];
  const plots = await writeChart(join(dir, `${jobId}-curves.${format}`), panels, { title });
  return { plots, metrics: metricsPath };
}
