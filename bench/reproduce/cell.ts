// One cell of the table: the paper protocol for one (model, algorithm, seed) on the selected engine,
// reporting progress through a callback and storing the finished run atomically (store.ts).
// child.ts runs it in a process of its own.
import { cpus, loadavg } from 'node:os';
import { createOptimizer, trainAsync, type EpochRecord, type Model, type Optimizer } from '@deeprelax/core';
import { bnRefreshBatches, checkDatasetForModel, evalBatches, loadDataset, trainingSource, type Dataset } from '@deeprelax/data';
import { getModelSpec } from '@deeprelax/models';
import { selectEngine, type EngineChoice } from '@deeprelax/runtime';
import type { CellSpec } from './plan.js';
import { RUN_SCHEMA, writeRun, type CurvePoint, type RunRecord } from './store.js';
import { reachesTarget } from './target.js';

export interface CellJob {
  type: 'run';
  cell: CellSpec;
  out: string;
  engine: EngineChoice;
  threads: number;
  /** Minimum interval between progress messages, ms. */
  progressMs: number;
}

export type CellMessage =
  | { type: 'progress'; key: string; epoch: number; gradCalls: number; effectiveEpochs: number; loss: number; trainMs: number; evalMs: number }
  | { type: 'epoch'; key: string; point: CurvePoint }
  | { type: 'error'; key: string; message: string };

export function toCurvePoint(r: EpochRecord): CurvePoint {
  return {
    epoch: r.epoch,
    effectiveEpochs: r.effectiveEpochs,
    steps: r.steps,
    gradCalls: r.gradCalls,
    trainLoss: r.trainLoss,
    trainError: r.trainError,
    valError: r.valError ?? null,
    valLoss: r.valLoss ?? null,
    lr: r.lr,
    coupling: r.coupling ?? null,
    wallMs: r.wallMs,
    evalMs: r.evalMs,
  };
}

function bnRefreshFor(cell: CellSpec, ds: Dataset, model: Model) {
  if (model.numBuffers === 0) return 'none' as const;
  if (cell.bnRefresh === 'sequential') {
    // [ESGD-LUA]: the whole training set in order, batches of 1024.
    return { batches: () => bnRefreshBatches(ds.train, { mode: 'sequential', batchSize: 1024 }) };
  }
  // [DR-CODE]: one epoch of sampled batches of m, from a stream of its own (the training stream
  // the optimizer draws from is left untouched), fresh batches at every evaluation.
  let pass = 0;
  return { batches: () => bnRefreshBatches(ds.train, { mode: 'sampled', batchSize: cell.batchSize, seed: cell.seed, pass: pass++ }) };
}

/** Runs one cell to the end and stores it; `emit` receives the progress messages. */
export async function runCell(job: CellJob, emit: (m: CellMessage) => void, shouldAbort: () => boolean = () => false): Promise<RunRecord> {
  const { cell } = job;
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const t0 = performance.now();
  const { engine } = await selectEngine(job.engine, { threads: job.threads });
  const ds = await loadDataset({
    name: cell.dataset,
    dir: cell.dataDir,
    scale: cell.dataset === 'mnist' ? cell.scale : undefined,
    trainLimit: cell.trainLimit,
    testLimit: cell.testLimit,
  });
  if (ds.train.n !== cell.trainSize) throw new Error(`${cell.key}: the plan expects ${cell.trainSize} training samples, the dataset has ${ds.train.n}`);
  const spec = getModelSpec(cell.model, cell.dropout === undefined ? undefined : { dropout: cell.dropout });
  checkDatasetForModel(ds, spec);
  const model = engine.createModel(spec, { seed: cell.seed });
  const source = trainingSource(ds.train, { batchSize: cell.batchSize, seed: cell.seed });
  let optimizer: Optimizer | undefined;
  try {
    optimizer = createOptimizer(model, source, cell.optimizer);
    if (optimizer.gradCallsPerStep !== cell.gradCallsPerStep || optimizer.effectiveEpochFactor !== cell.effectiveEpochFactor) {
      throw new Error(`${cell.key}: accounting differs from the plan (gradCallsPerStep ${optimizer.gradCallsPerStep} vs ${cell.gradCallsPerStep})`);
    }
    const setupMs = performance.now() - t0;

    const curve: CurvePoint[] = [];
    let evalMs = 0;
    let targetReached = false;
    let lastProgress = 0;
    const tTrain = performance.now();
    const result = await trainAsync({
      model,
      optimizer,
      train: source,
      epochs: cell.epochs,
      lrSchedule: cell.lrSchedule,
      eval: { batches: () => evalBatches(ds.test, 1000) },
      evalEvery: cell.evalEvery,
      bnRefresh: bnRefreshFor(cell, ds, model),
      // Let the IPC messages out about every 64 gradient calls (a yield costs ~1 ms).
      yieldEvery: Math.max(1, Math.ceil(64 / cell.gradCallsPerStep)),
      shouldStop: () => targetReached || shouldAbort(),
      onStep: (p) => {
        const now = performance.now();
        if (now - lastProgress < job.progressMs) return;
        lastProgress = now;
        emit({ type: 'progress', key: cell.key, epoch: p.epoch, gradCalls: p.gradCalls, effectiveEpochs: p.effectiveEpochs, loss: p.loss, trainMs: now - tTrain, evalMs });
      },
      onEpoch: (r) => {
        const point = toCurvePoint(r);
        curve.push(point);
        evalMs += r.evalMs;
        emit({ type: 'epoch', key: cell.key, point });
        if (cell.stopAtError !== undefined && r.valError !== undefined && reachesTarget(r.valError, cell.stopAtError)) targetReached = true;
      },
    });
    if (result.status === 'stopped' && !targetReached) throw new Error(`${cell.key}: stopped before the end (${result.reason ?? 'abort'})`);
    // Up to the last recorded epoch (a run stopped at its target has taken one more step).
    const last = curve.at(-1);
    const wallMs = last?.wallMs ?? performance.now() - tTrain;
    const gradCalls = last?.gradCalls ?? optimizer.gradCalls;
    const run: RunRecord = {
      schema: RUN_SCHEMA,
      key: cell.key,
      cell,
      status: targetReached ? 'target' : result.status === 'diverged' ? 'diverged' : 'completed',
      reason: targetReached ? `validation error <= ${(100 * (cell.stopAtError ?? 0)).toFixed(2)}%` : (result.reason ?? null),
      engine: { name: engine.name, description: engine.description, threads: job.threads },
      host: { cpus: cpus().length, loadavgStart: loadStart, loadavgEnd: loadavg(), node: process.version },
      startedAt,
      finishedAt: new Date().toISOString(),
      trainSamples: ds.train.n,
      testSamples: ds.test.n,
      setupMs,
      wallMs,
      evalMs,
      gradCalls,
      samplesPerSecond: (gradCalls * cell.batchSize) / Math.max(1e-3, (wallMs - evalMs) / 1000),
      curve,
    };
    writeRun(job.out, run);
    return run;
  } finally {
    optimizer?.dispose();
    model.dispose();
  }
}
