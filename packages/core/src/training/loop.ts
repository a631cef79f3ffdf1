// The training loop (no I/O): runs an optimizer for E epochs over a BatchSource (one epoch =
// ceil(N/m) outer steps, §2.0), sets the lr from the schedule at the start of every epoch, evaluates
// with the batch-norm refresh of §3.3 (updateBatchNormStats over training batches — the engine runs
// them in train mode with dropout off — then eval mode), and reports through callbacks.
import type { Batch, BatchSource, Model } from '../engine.js';
import type { Optimizer } from '../algorithms/common.js';
import { makeLrSchedule, type LearningRateSchedule, type LrScheduleSpec } from '../schedules/lr.js';

/** A finite evaluation set: each call to batches() iterates it once from the start. */
export interface EvalSet {
  batches(): Iterable<Batch>;
}

export interface EvalResult {
  /** Sample-weighted mean loss. */
  loss: number;
  /** Fraction misclassified, in [0, 1]. */
  error: number;
  correct: number;
  n: number;
}

/**
 * Batch-norm refresh (§3.3): forwards the batches through updateBatchNormStats (train-mode statistics,
 * dropout off, no gradient). Returns the number of batches. The model's mode is unchanged.
 */
export function refreshBatchNorm(model: Model, batches: Iterable<Batch>): number {
  let k = 0;
  for (const b of batches) {
    model.updateBatchNormStats(b);
    k++;
  }
  return k;
}

/** Evaluates in eval mode (restoring the previous mode), optionally after a BN refresh. */
export function evaluateModel(model: Model, set: EvalSet, opts: { bnRefresh?: Iterable<Batch> } = {}): EvalResult {
  if (opts.bnRefresh) refreshBatchNorm(model, opts.bnRefresh);
  const prev = model.mode;
  model.setMode('eval');
  let loss = 0;
  let correct = 0;
  let n = 0;
  try {
    for (const b of set.batches()) {
      const r = model.evaluate(b);
      loss += r.loss * r.n;
      correct += r.correct;
      n += r.n;
    }
  } finally {
    model.setMode(prev);
  }
  if (n === 0) throw new RangeError('evaluateModel: the evaluation set is empty');
  return { loss: loss / n, error: 1 - correct / n, correct, n };
}

/** `count` fresh batches drawn from a BatchSource ([DR-CODE]: one epoch of sampled training batches). */
export function sampledBatches(source: BatchSource, count: number): Iterable<Batch> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < count; i++) yield source.next();
    },
  };
}

export interface StepProgress {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based step within the epoch. */
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** Outer steps taken by the optimizer in total. */
  step: number;
  loss: number;
  gradCalls: number;
  /** Fractional effective epochs (§3.4): (steps / stepsPerEpoch) × L. */
  effectiveEpochs: number;
  lr: number;
  coupling?: number;
}

export interface EpochRecord {
  /** 1-based epoch index. */
  epoch: number;
  /** epoch × L (L := 1 for SGD), §3.4. */
  effectiveEpochs: number;
  /** Outer steps taken in total. */
  steps: number;
  /** Gradient evaluations in total. */
  gradCalls: number;
  /** Mean of the steps' reported minibatch losses over this epoch. */
  trainLoss: number;
  /** 1 − correct/n over the steps' reported minibatches. */
  trainError: number;
  /** Set on epochs that were evaluated. */
  valLoss?: number;
  valError?: number;
  lr: number;
  /** Coupling g the next step would use. */
  coupling?: number;
  /** Wall-clock milliseconds since train() started (includes evaluation). */
  wallMs: number;
  /** Milliseconds spent in BN refresh + evaluation this epoch. */
  evalMs: number;
}

export type TrainStatus = 'completed' | 'stopped' | 'diverged';

export interface TrainResult {
  status: TrainStatus;
  /** Epochs fully completed. */
  epochsCompleted: number;
  records: EpochRecord[];
  /** Why training ended early, if it did. */
  reason?: string;
}

export interface TrainOptions {
  model: Model;
  optimizer: Optimizer;
  /** Training minibatches (the gradient oracle's source). */
  train: BatchSource;
  /** Number of epochs to run (the last epoch index is startEpoch + epochs − 1). */
  epochs: number;
  /** Per-epoch learning rate (default: keep the optimizer's lr). */
  lrSchedule?: LearningRateSchedule | LrScheduleSpec;
  /** Validation set; omitted: no evaluation. */
  eval?: EvalSet;
  /** Evaluate every k epochs (default 1); the final epoch is always evaluated. */
  evalEvery?: number;
  /**
   * BN refresh before each evaluation: an EvalSet (e.g. the training set in sequential batches,
   * [ESGD-LUA]), 'train-epoch' (ceil(N/m) fresh batches from `train`, [DR-CODE]) or 'none'.
   * Default: 'train-epoch' when the model has BN buffers, otherwise 'none'.
   */
  bnRefresh?: EvalSet | 'train-epoch' | 'none';
  /** First epoch index (1-based, for resuming; default 1). */
  startEpoch?: number;
  onStep?: (p: StepProgress) => void;
  onEpoch?: (r: EpochRecord) => void;
  /** Polled after every step; returning true stops training ('stopped'). */
  shouldStop?: () => boolean;
  /** Stop with status 'diverged' when a step's loss or the weights become non-finite (default true). */
  stopOnNonFinite?: boolean;
  /** Millisecond clock (default performance.now). */
  clock?: () => number;
}

/** Outer steps in one epoch: ceil(N/m). */
export function stepsPerEpoch(source: BatchSource): number {
  if (!(source.size > 0) || !(source.batchSize > 0)) throw new RangeError('batch source must have size and batchSize > 0');
  return Math.ceil(source.size / source.batchSize);
}

function* trainSteps(o: TrainOptions): Generator<void, TrainResult, void> {
  const { model, optimizer: opt, train } = o;
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new RangeError(`epochs must be an integer >= 0, got ${o.epochs}`);
  const start = o.startEpoch ?? 1;
  if (!Number.isInteger(start) || start < 1) throw new RangeError('startEpoch must be an integer >= 1');
  const evalEvery = o.evalEvery ?? 1;
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new RangeError('evalEvery must be an integer >= 1');
  const schedule =
    o.lrSchedule === undefined ? undefined : 'lrAt' in o.lrSchedule ? o.lrSchedule : makeLrSchedule(o.lrSchedule);
  const spe = stepsPerEpoch(train);
  const clock = o.clock ?? (() => performance.now());
  const checkFinite = o.stopOnNonFinite ?? true;
  const bnMode = o.bnRefresh ?? (model.numBuffers > 0 ? 'train-epoch' : 'none');
  const L = opt.effectiveEpochFactor;
  const t0 = clock();
  const records: EpochRecord[] = [];
  const last = start + o.epochs - 1;
  for (let epoch = start; epoch <= last; epoch++) {
    if (schedule) opt.lr = schedule.lrAt(epoch);
    model.setMode('train');
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let s = 1; s <= spe; s++) {
      const r = opt.step();
      lossSum += r.loss;
      correct += r.correct;
      seen += r.n;
      if (o.onStep) {
        o.onStep({
          epoch,
          stepInEpoch: s,
          stepsPerEpoch: spe,
          step: opt.steps,
          loss: r.loss,
          gradCalls: opt.gradCalls,
          effectiveEpochs: (opt.steps / spe) * L,
          lr: opt.lr,
          coupling: r.coupling,
        });
      }
      if (checkFinite && (!Number.isFinite(r.loss) || !model.allFinite(model.params))) {
        return {
          status: 'diverged',
          epochsCompleted: epoch - start,
          records,
          reason: `non-finite ${Number.isFinite(r.loss) ? 'weights' : 'loss'} at epoch ${epoch}, step ${s}`,
        };
      }
      if (o.shouldStop?.()) {
        return { status: 'stopped', epochsCompleted: epoch - start, records, reason: 'stop requested' };
      }
      yield;
    }
    const rec: EpochRecord = {
      epoch,
      effectiveEpochs: epoch * L,
      steps: opt.steps,
      gradCalls: opt.gradCalls,
      trainLoss: lossSum / spe,
      trainError: seen > 0 ? 1 - correct / seen : NaN,
      lr: opt.lr,
      coupling: opt.coupling,
      wallMs: 0,
      evalMs: 0,
    };
    if (o.eval && ((epoch - start + 1) % evalEvery === 0 || epoch === last)) {
      const te = clock();
      const refresh =
        bnMode === 'none' ? undefined : bnMode === 'train-epoch' ? sampledBatches(train, spe) : bnMode.batches();
      const ev = evaluateModel(model, o.eval, { bnRefresh: refresh });
      model.setMode('train');
      rec.valLoss = ev.loss;
      rec.valError = ev.error;
      rec.evalMs = clock() - te;
    }
    rec.wallMs = clock() - t0;
    records.push(rec);
    o.onEpoch?.(rec);
  }
  return { status: 'completed', epochsCompleted: o.epochs, records };
}

/**
 * Runs training synchronously. The optimizer's model is `model`; after it returns, model.params
 * holds the trained weights (the master/centre for the simulated distributed algorithms).
 */
export function train(options: TrainOptions): TrainResult {
  const it = trainSteps(options);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * As train(), but yields to the event loop every `yieldEvery` steps (default 1) so that a worker or
 * coordinator process stays responsive (heartbeats, cancellation).
 */
export async function trainAsync(options: TrainOptions & { yieldEvery?: number }): Promise<TrainResult> {
  const every = options.yieldEvery ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new RangeError('yieldEvery must be an integer >= 1');
  const it = trainSteps(options);
  let k = 0;
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (++k % every === 0) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}
