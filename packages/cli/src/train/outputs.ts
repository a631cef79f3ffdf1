// What a training run leaves on disk: config.json, metrics.jsonl (one JSON line per epoch),
// curves.svg|png (loss and validation error against effective epochs), weights.f32/buffers.f32.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@deeprelax/core';
import { writeChart, type Panel } from '@deeprelax/plot';

export interface MetricLine {
  epoch: number;
  effectiveEpochs: number;
  gradCalls: number;
  steps: number;
  trainLoss: number;
  trainError: number;
  valLoss: number | null;
  valError: number | null;
  lr: number;
  coupling: number | null;
  wallMs: number;
}

export function toMetricLine(r: EpochRecord): MetricLine {
  return {
    epoch: r.epoch,
    effectiveEpochs: r.effectiveEpochs,
    gradCalls: r.gradCalls,
    steps: r.steps,
    trainLoss: r.trainLoss,
    trainError: r.trainError,
    valLoss: r.valLoss ?? null,
    valError: r.valError ?? null,
    lr: r.lr,
    coupling: r.coupling ?? null,
    wallMs: Math.round(r.wallMs),
  };
}

export class RunOutputs {
  readonly metricsPath: string;
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.metricsPath = join(dir, 'metrics.jsonl');
    writeFileSync(this.metricsPath, '');
  }

  writeJson(name: string, value: unknown): string {
    const p = join(this.dir, name);
    writeFileSync(p, JSON.stringify(value, null, 2) + '\n');
    return p;
  }

  appendMetric(line: MetricLine): void {
    appendFileSync(this.metricsPath, JSON.stringify(line) + '\n');
  }

  writeBinary(name: string, data: Float32Array): string {
    const p = join(this.dir, name);
    writeFileSync(p, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return p;
  }

  /** Loss and validation error (%) against effective epochs. */
  async writeCurves(lines: MetricLine[], title: string, format: 'svg' | 'png'): Promise<string[]> {
    const x = (l: MetricLine) => l.effectiveEpochs;
    const panels: Panel[] = [
      {
        title: 'training loss',
        xLabel: 'effective epochs',
        yLabel: 'cross-entropy',
        logY: true,
        series: [{ name: 'train loss', points: lines.map((l) => ({ x: x(l), y: l.trainLoss })) }],
      },
      {
        title: 'validation error',
        xLabel: 'effective epochs',
        yLabel: 'error (%)',
        logY: true,
        series: [
          { name: 'validation', points: lines.filter((l) => l.valError !== null).map((l) => ({ x: x(l), y: 100 * (l.valError as number) })) },
          { name: 'train (minibatches)', points: lines.map((l) => ({ x: x(l), y: 100 * l.trainError })) },
        ],
      },
    ];
    return writeChart(join(this.dir, `curves.${format}`), panels, { title });
  }
}
