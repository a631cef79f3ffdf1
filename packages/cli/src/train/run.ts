// `deeprelax train`: one process, one model, any of the paper's optimizers, with a progress bar,
// pino logs, a metrics file and a plot. Returns the final record so callers (and tests) can check it.
import { createOptimizer, evaluateModel, stepsPerEpoch, trainAsync, type EpochRecord, type Model } from '@deeprelax/core';
import { bnRefreshBatches, checkDatasetForModel, evalBatches, loadDataset, trainingSource } from '@deeprelax/data';
import { getModelSpec, parameterCount } from '@deeprelax/models';
import { selectEngine } from '@deeprelax/runtime';
import type { Logger } from '@deeprelax/runtime';
import { createProgress } from '../progress.js';
import { UsageError, type TrainRunConfig } from './config.js';
import { RunOutputs, toMetricLine, type MetricLine } from './outputs.js';

export interface TrainRunResult {
  status: 'completed' | 'stopped' | 'diverged';
  reason?: string;
  records: EpochRecord[];
  finalValError: number | null;
  outDir: string;
  plotFiles: string[];
  engine: string;
}

export async function runTraining(cfg: TrainRunConfig, log: Logger, options: { tty?: boolean; signal?: AbortSignal } = {}): Promise<TrainRunResult> {
  const { engine, reason } = await selectEngine(cfg.engine, { threads: cfg.threads, device: cfg.device, cpuCacheMiB: cfg.cpuCacheMiB });
  log.info({ engine: engine.name }, reason);

  const t0 = performance.now();
  const ds = await loadDataset({ name: cfg.dataset, dir: cfg.dataDir, trainLimit: cfg.trainLimit, testLimit: cfg.testLimit });
  log.info(
    { dataset: ds.name, train: ds.train.n, test: ds.test.n, preprocessing: ds.preprocessing, ms: Math.round(performance.now() - t0) },
    'dataset loaded',
  );
  const spec = getModelSpec(cfg.model);
  checkDatasetForModel(ds, spec);
  const model: Model = engine.createModel(spec, { seed: cfg.seed });
  const source = trainingSource(ds.train, { batchSize: cfg.batchSize, seed: cfg.seed });
  let optimizer;
  try {
    optimizer = createOptimizer(model, source, cfg.optimizer);
  } catch (e) {
    model.dispose();
    throw new UsageError(`invalid hyper-parameters for ${cfg.algorithm}: ${(e as Error).message}`);
  }
  const spe = stepsPerEpoch(source);
  const out = new RunOutputs(cfg.outDir);
  out.writeJson('config.json', { ...cfg, engine: engine.description, parameters: parameterCount(spec), stepsPerEpoch: spe });
  log.info(
    {
      model: cfg.model,
      parameters: parameterCount(spec),
      algorithm: cfg.algorithm,
      preset: cfg.presetFrom,
      optimizer: cfg.optimizer,
      lrSchedule: cfg.lrSchedule,
      epochs: cfg.epochs,
      batchSize: cfg.batchSize,
      stepsPerEpoch: spe,
      effectiveEpochFactor: optimizer.effectiveEpochFactor,
      outDir: cfg.outDir,
    },
    'training',
  );

  const progress = createProgress(log, { tty: options.tty });
  progress.start(cfg.epochs * spe, `${cfg.model}/${cfg.algorithm}`);
  const lines: MetricLine[] = [];
  let plotFiles: string[] = [];
  const tStart = performance.now();
  let stop = false;
  const onAbort = () => {
    stop = true;
  };
  options.signal?.addEventListener('abort', onAbort);
  // One validation set and one BN-refresh pass (§3.3), used by every evaluation of this run.
  const evalSet = { batches: () => evalBatches(ds.test, 1000) };
  const bnRefresh = model.numBuffers > 0 ? { batches: () => bnRefreshBatches(ds.train, { mode: 'sequential', batchSize: 1024 }) } : undefined;
  const title = `${cfg.model} · ${cfg.algorithm} · seed ${cfg.seed} · ${engine.name}`;
  let result;
  try {
    result = await trainAsync({
      model,
      optimizer,
      train: source,
      epochs: cfg.epochs,
      lrSchedule: cfg.lrSchedule,
      eval: evalSet,
      evalEvery: cfg.evalEvery,
      bnRefresh: bnRefresh ?? 'none',
      yieldEvery: 8,
      shouldStop: () => stop,
      onStep: (p) => {
        const secs = (performance.now() - tStart) / 1000;
        const samples = p.gradCalls * cfg.batchSize;
        progress.update((p.epoch - 1) * spe + p.stepInEpoch, {
          loss: p.loss.toFixed(4),
          rate: secs > 0 ? Math.round(samples / secs) : '-',
          epoch: p.epoch,
          effectiveEpochs: p.effectiveEpochs.toFixed(2),
        });
      },
      onEpoch: (r) => {
        const line = toMetricLine(r);
        lines.push(line);
        out.appendMetric(line);
        log.info(
          {
            epoch: r.epoch,
            effectiveEpochs: r.effectiveEpochs,
            gradCalls: r.gradCalls,
            trainLoss: +r.trainLoss.toFixed(5),
            valError: r.valError === undefined ? null : +(100 * r.valError).toFixed(3),
            lr: r.lr,
            coupling: r.coupling,
            wallS: +(r.wallMs / 1000).toFixed(1),
          },
          'epoch',
        );
      },
    });
  } finally {
    progress.stop();
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (lines.length > 0) plotFiles = await out.writeCurves(lines, title, cfg.plot);
  let finalValError = [...result.records].reverse().find((r) => r.valError !== undefined)?.valError ?? null;
  if (result.status === 'stopped' && finalValError === null) {
    // Stopped before the first evaluation: evaluate the weights as they are, with the same BN refresh.
    finalValError = evaluateModel(model, evalSet, { bnRefresh: bnRefresh?.batches() }).error;
  }
  out.writeBinary('weights.f32', model.exportParams());
  if (model.numBuffers > 0) out.writeBinary('buffers.f32', model.exportBuffers());
  out.writeJson('result.json', { status: result.status, reason: result.reason ?? null, finalValError, epochs: lines });
  optimizer.dispose();
  model.dispose();
  return { status: result.status, reason: result.reason, records: result.records, finalValError, outDir: cfg.outDir, plotFiles, engine: engine.description };
}
