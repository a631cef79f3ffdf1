// One training step loop (batch 128 by default): lossAndGrad + an SGD update on the flat vectors,
// timed by wall clock and by this process's CPU time, over a fixed set of seeded random batches.
import { Rng, inputSize, type Batch, type Engine, type ModelSpec } from '@deeprelax/core';

export interface LoopResult {
  steps: number;
  samples: number;
  wallSeconds: number;
  cpuSeconds: number;
  samplesPerSecond: number;
  /** Samples per second of CPU time: less sensitive to other load on the machine. */
  samplesPerCpuSecond: number;
  finalLoss: number;
}

export function makeBatches(spec: ModelSpec, batchSize: number, count: number, seed: number): Batch[] {
  const rng = new Rng(seed, 0xbe7c);
  const size = inputSize(spec);
  return Array.from({ length: count }, () => {
    const x = new Float32Array(batchSize * size);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
    const y = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) y[i] = rng.int(spec.numClasses);
    return { x, y, n: batchSize };
  });
}

/** Runs warmup steps, then steps until minSeconds have passed (at least minSteps, at most maxSteps). */
export function timeLoop(
  engine: Engine,
  spec: ModelSpec,
  opts: { batchSize: number; warmup: number; minSteps: number; maxSteps: number; minSeconds: number; lr: number },
): LoopResult {
  const m = engine.createModel(spec, { seed: 1 });
  try {
    m.setMode('train');
    const batches = makeBatches(spec, opts.batchSize, 8, 7);
    let loss = NaN;
    const step = (i: number) => {
      loss = m.lossAndGrad(batches[i % batches.length]).loss;
      m.axpy(m.params, -opts.lr, m.grad);
    };
    for (let i = 0; i < opts.warmup; i++) step(i);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let steps = 0;
    while (steps < opts.maxSteps && (steps < opts.minSteps || performance.now() - t0 < opts.minSeconds * 1000)) {
      step(steps);
      steps++;
    }
    const wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    const samples = steps * opts.batchSize;
    return {
      steps,
      samples,
      wallSeconds: wall,
      cpuSeconds: cpu,
      samplesPerSecond: samples / wall,
      samplesPerCpuSecond: samples / cpu,
      finalLoss: loss,
    };
  } finally {
    m.dispose();
  }
}
