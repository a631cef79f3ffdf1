// Job specs: full validation at submit (INVALID_ARGUMENT naming the proto field), defaults filled in
// from ALGORITHMS.md / core's presets (PROTOCOL.md §8), conversion to core's schedule specs, and the
// job's plan (batches per epoch, rounds, effective-epoch factor) that PROTOCOL.md §4 defines.
import { randomInt } from 'node:crypto';
import {
  layoutOf,
  makeLrSchedule,
  makeScoping,
  preset,
  PRESET_MODELS,
  type LearningRateSchedule,
  type LrScheduleSpec,
  type ModelSpec,
  type PresetModelName,
  type ScopingSchedule,
  type ScopingSpec,
} from '@deeprelax/core';
import { getModelSpec, modelNames } from '@deeprelax/models';
import {
  algorithmName,
  InvalidArgumentError,
  isAsyncAlgorithm,
  type CouplingSchedule,
  type CouplingSchedule__Output,
  type HyperParameters__Output,
  type Interval__Output,
  type JobAlgorithmName,
  type JobSpec,
  type JobSpec__Output,
  type LrSchedule,
  type LrSchedule__Output,
} from '@deeprelax/rpc';
import { limitedSize, type DatasetCatalog, type DatasetInfo } from './datasets.js';

export const DEFAULT_ROUND_DEADLINE_MS = 30_000;
export const MAX_ROUND_DEADLINE_MS = 24 * 3600_000;
export const MAX_WORKERS = 1024;
export const MAX_INNER_STEPS = 1_000_000;
export const MAX_BATCH_SIZE = 1 << 16;

/** The centre-side family of an algorithm. */
export type CentreKind = 'parle' | 'easgd' | 'desgd';

export interface JobPlan {
  algorithm: JobAlgorithmName;
  centre: CentreKind;
  mode: 'sync' | 'async';
  /** Training samples after train_limit. */
  trainSize: number;
  batchSize: number;
  /** Batches per epoch nb = ceil(trainSize / batchSize). */
  nb: number;
  /** Inner steps per round (Parle, DESGD); 1 for the EASGD family. */
  L: number;
  /** Local steps per exchange (EASGD family); 1 otherwise. */
  tau: number;
  /** Rounds of one replica per epoch: nb (Parle, DESGD), nb/τ (EASGD family). */
  roundsPerEpoch: number;
  /** Sync: rounds in the job. Async: exchanges in the job (rounds per replica × P). */
  totalRounds: number;
  /** Async: nominal replicas P = max_workers. */
  nominalReplicas: number;
  epochs: number;
  numParams: number;
  numBuffers: number;
}

export interface ResolvedJob {
  spec: JobSpec__Output;
  model: ModelSpec;
  dataset: DatasetInfo;
  plan: JobPlan;
}

// ---------------------------------------------------------------------------------------- helpers

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function num(field: string, v: unknown, opts: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; int?: boolean } = {}): number {
  if (!finite(v)) throw new InvalidArgumentError(field, `must be a finite number, got ${String(v)}`);
  if (opts.int && !Number.isInteger(v)) throw new InvalidArgumentError(field, `must be an integer, got ${v}`);
  if (opts.min !== undefined && (opts.minExclusive ? v <= opts.min : v < opts.min)) {
    throw new InvalidArgumentError(field, `must be ${opts.minExclusive ? '>' : '>='} ${opts.min}, got ${v}`);
  }
  if (opts.max !== undefined && (opts.maxExclusive ? v >= opts.max : v > opts.max)) {
    throw new InvalidArgumentError(field, `must be ${opts.maxExclusive ? '<' : '<='} ${opts.max}, got ${v}`);
  }
  return v;
}

function lrCase(s: LrSchedule__Output | LrSchedule | null | undefined): 'constant' | 'piecewise' | 'stepDecay' | null {
  if (!s) return null;
  if (s.constant !== undefined && s.constant !== null) return 'constant';
  if (s.piecewise) return 'piecewise';
  if (s.stepDecay) return 'stepDecay';
  return null;
}

function couplingCase(s: CouplingSchedule__Output | CouplingSchedule | null | undefined): 'constant' | 'exponential' | 'capped' | 'variance' | null {
  if (!s) return null;
  if (s.constant !== undefined && s.constant !== null) return 'constant';
  if (s.exponential) return 'exponential';
  if (s.capped) return 'capped';
  if (s.variance) return 'variance';
  return null;
}

/** core's LrScheduleSpec of a wire schedule (null when unset). */
export function lrSpecOf(s: LrSchedule__Output | LrSchedule | null | undefined): LrScheduleSpec | null {
  switch (lrCase(s)) {
    case 'constant':
      return { kind: 'constant', lr: Number(s!.constant) };
    case 'piecewise':
      return { kind: 'piecewise', rows: (s!.piecewise!.rows ?? []).map((r) => [Number(r.lastEpoch), Number(r.lr)] as [number, number]) };
    case 'stepDecay': {
      const d = s!.stepDecay!;
      return { kind: 'step', lr0: Number(d.lr0), factor: Number(d.factor), every: Number(d.everyEpochs) };
    }
    default:
      return null;
  }
}

/** The wire form of a core LrScheduleSpec. */
export function lrWireOf(s: LrScheduleSpec): LrSchedule {
  switch (s.kind) {
    case 'constant':
      return { constant: s.lr };
    case 'piecewise':
      return { piecewise: { rows: s.rows.map(([lastEpoch, lr]) => ({ lastEpoch, lr })) } };
    case 'step':
      return { stepDecay: { lr0: s.lr0, factor: s.factor, everyEpochs: s.every } };
  }
}

/** core's ScopingSpec of a wire coupling schedule (null when unset). */
export function scopingSpecOf(s: CouplingSchedule__Output | CouplingSchedule | null | undefined): ScopingSpec | null {
  switch (couplingCase(s)) {
    case 'constant':
      return { kind: 'constant', g: Number(s!.constant) };
    case 'exponential':
      return { kind: 'exponential', g0: Number(s!.exponential!.g0), g1: Number(s!.exponential!.g1) };
    case 'capped':
      return { kind: 'capped', g0: Number(s!.capped!.g0), rate: Number(s!.capped!.rate), cap: Number(s!.capped!.cap) };
    case 'variance':
      return { kind: 'variance', gamma0: Number(s!.variance!.gamma0), decay: Number(s!.variance!.decay) };
    default:
      return null;
  }
}

export function scopingWireOf(s: ScopingSpec): CouplingSchedule {
  switch (s.kind) {
    case 'constant':
      return { constant: s.g };
    case 'exponential':
      return { exponential: { g0: s.g0, g1: s.g1 } };
    case 'capped':
      return { capped: { g0: s.g0, rate: s.rate, cap: s.cap } };
    case 'variance':
      return { variance: { gamma0: s.gamma0, decay: s.decay } };
  }
}

function checkLr(field: string, s: LrSchedule__Output | null): LrScheduleSpec | null {
  if (!s) return null;
  const spec = lrSpecOf(s);
  if (!spec) throw new InvalidArgumentError(field, 'a schedule must set constant, piecewise or step_decay');
  try {
    makeLrSchedule(spec);
  } catch (err) {
    throw new InvalidArgumentError(field, (err as Error).message);
  }
  return spec;
}

function checkCoupling(field: string, s: CouplingSchedule__Output | null): ScopingSpec | null {
  if (!s) return null;
  const spec = scopingSpecOf(s);
  if (!spec) throw new InvalidArgumentError(field, 'a coupling schedule must set constant, exponential, capped or variance');
  try {
    const sched = makeScoping(spec);
    if (!finite(sched.couplingAt(0))) throw new RangeError('the coupling at t = 0 is not finite');
  } catch (err) {
    throw new InvalidArgumentError(field, (err as Error).message);
  }
  return spec;
}

function checkInterval(field: string, i: Interval__Output | null): Interval__Output | null {
  if (!i) return null;
  if (i.epochs !== undefined && i.epochs !== null && i.every !== 'rounds' && i.every !== 'seconds') {
    num(`${field}.epochs`, i.epochs, { min: 0, minExclusive: true, max: 1e6 });
    return { epochs: i.epochs, every: 'epochs' };
  }
  if (i.rounds !== undefined && i.rounds !== null && i.every !== 'seconds') {
    num(`${field}.rounds`, i.rounds, { min: 1, int: true });
    return { rounds: i.rounds, every: 'rounds' };
  }
  if (i.seconds !== undefined && i.seconds !== null) {
    num(`${field}.seconds`, i.seconds, { min: 0, minExclusive: true, max: 1e9 });
    return { seconds: i.seconds, every: 'seconds' };
  }
  throw new InvalidArgumentError(field, 'an interval must set epochs, rounds or seconds');
}

function presetModel(model: string, inputShape: readonly number[]): PresetModelName {
  if ((PRESET_MODELS as readonly string[]).includes(model)) return model as PresetModelName;
  return inputShape[0] === 3 ? 'allcnn' : 'mnistfc';
}

const DTYPES = ['DTYPE_UNSPECIFIED', 'DTYPE_FLOAT32', 'DTYPE_FLOAT16', 'DTYPE_BFLOAT16'];
const ENGINES = ['ENGINE_KIND_AUTO', 'ENGINE_KIND_TORCH', 'ENGINE_KIND_TFJS'];

// ------------------------------------------------------------------------------------ validation

/**
 * Validates a submitted spec completely and returns it with every default filled in, plus the
 * model, the dataset and the plan. Throws InvalidArgumentError naming the offending field.
 */
export async function resolveJobSpec(input: JobSpec__Output | null | undefined, catalog: DatasetCatalog): Promise<ResolvedJob> {
  if (!input) throw new InvalidArgumentError('spec', 'a job spec is required');
  const name = input.name ?? '';
  if (typeof name !== 'string' || name.length > 256) throw new InvalidArgumentError('spec.name', 'at most 256 characters');

  // model
  const modelName = (input.model ?? '').trim();
  if (!modelName) throw new InvalidArgumentError('spec.model', `a model is required; known models: ${modelNames().join(', ')}`);
  let model: ModelSpec;
  try {
    model = getModelSpec(modelName);
  } catch (err) {
    throw new InvalidArgumentError('spec.model', (err as Error).message);
  }
  const layout = layoutOf(model);

  // algorithm
  const algo = algorithmName(input.algorithm);
  if (!algo) {
    throw new InvalidArgumentError('spec.algorithm', `unknown or missing algorithm ${JSON.stringify(input.algorithm)}; expected parle, easgd, easgd-async, eamsgd, eamsgd-async or desgd`);
  }
  const centre: CentreKind = algo === 'parle' ? 'parle' : algo === 'desgd' ? 'desgd' : 'easgd';
  const mode = isAsyncAlgorithm(input.algorithm) ? 'async' : 'sync';

  // dataset
  const ds = input.dataset;
  if (ds) {
    num('spec.dataset.train_limit', ds.trainLimit ?? 0, { min: 0, int: true });
    num('spec.dataset.val_limit', ds.valLimit ?? 0, { min: 0, int: true });
  }
  const dataset = await catalog.resolve(ds, 'spec.dataset');
  const wantShape = model.inputShape;
  const sameShape =
    wantShape.length === 1
      ? wantShape[0] === dataset.inputShape.reduce((a, b) => a * b, 1)
      : wantShape.join(',') === dataset.inputShape.join(',');
  if (!sameShape) {
    throw new InvalidArgumentError('spec.model', `model ${modelName} takes inputs of shape [${wantShape}] but the dataset has [${dataset.inputShape}]`);
  }
  if (model.numClasses !== dataset.numClasses) {
    throw new InvalidArgumentError('spec.model', `model ${modelName} has ${model.numClasses} classes, the dataset ${dataset.numClasses}`);
  }
  const trainSize = limitedSize(dataset.trainSize, ds?.trainLimit ?? 0);

  // workers
  const minWorkers = input.minWorkers ? num('spec.min_workers', input.minWorkers, { min: 1, max: MAX_WORKERS, int: true }) : 1;
  const maxWorkers = input.maxWorkers ? num('spec.max_workers', input.maxWorkers, { min: 1, max: MAX_WORKERS, int: true }) : minWorkers;
  if (minWorkers > maxWorkers) {
    throw new InvalidArgumentError('spec.max_workers', `max_workers (${maxWorkers}) is smaller than min_workers (${minWorkers})`);
  }

  // misc
  const engine = input.engine ?? 'ENGINE_KIND_AUTO';
  if (!ENGINES.includes(engine as string)) throw new InvalidArgumentError('spec.engine', `unknown engine ${String(engine)}`);
  const dtype = input.exchangeDtype ?? 'DTYPE_UNSPECIFIED';
  if (!DTYPES.includes(dtype as string)) throw new InvalidArgumentError('spec.exchange_dtype', `unknown dtype ${String(dtype)}`);
  const deadline = input.roundDeadlineMs
    ? num('spec.round_deadline_ms', input.roundDeadlineMs, { min: 1, max: MAX_ROUND_DEADLINE_MS, int: true })
    : DEFAULT_ROUND_DEADLINE_MS;
  const evalInterval = checkInterval('spec.eval_interval', input.evalInterval) ?? { epochs: 1, every: 'epochs' };
  const checkpointInterval = checkInterval('spec.checkpoint_interval', input.checkpointInterval) ?? { epochs: 1, every: 'epochs' };
  const seed = input.seed !== undefined && input.seed !== null ? num('spec.seed', input.seed, { min: 0, max: 0xffffffff, int: true }) : randomInt(0, 0x7fffffff);

  // hyper-parameters
  const h: Partial<HyperParameters__Output> = input.hyper ?? {};
  const batchSize = h.batchSize !== undefined ? num('spec.hyper.batch_size', h.batchSize, { min: 1, max: MAX_BATCH_SIZE, int: true }) : 128;
  const nb = Math.ceil(trainSize / batchSize);
  if (!(nb >= 1)) throw new InvalidArgumentError('spec.dataset.train_limit', 'the training set is empty');
  const pm = presetModel(modelName, dataset.inputShape);
  const isCifar = dataset.inputShape[0] === 3;
  const wdDefault = isCifar ? 1e-3 : 0;
  const lr = checkLr('spec.hyper.lr', h.lr ?? null);
  const innerLr = checkLr('spec.hyper.inner_lr', h.innerLr ?? null);
  const gamma = checkCoupling('spec.hyper.gamma', h.gamma ?? null);
  const rho = checkCoupling('spec.hyper.rho', h.rho ?? null);
  const opt = <T extends number>(field: string, v: number | undefined, o: Parameters<typeof num>[2]): T | undefined =>
    v === undefined || v === null ? undefined : (num(field, v, o) as T);
  const innerSteps = opt('spec.hyper.inner_steps', h.innerSteps, { min: 1, max: MAX_INNER_STEPS, int: true });
  const noise = opt('spec.hyper.noise', h.noise, { min: 0, max: 1e3 });
  const momentum = opt('spec.hyper.momentum', h.momentum, { min: 0, max: 1, maxExclusive: true });
  const innerMomentum = opt('spec.hyper.inner_momentum', h.innerMomentum, { min: 0, max: 1, maxExclusive: true });
  const weightDecay = opt('spec.hyper.weight_decay', h.weightDecay, { min: 0, max: 1e3 });
  const tau = opt('spec.hyper.tau', h.tau, { min: 1, max: MAX_INNER_STEPS, int: true });
  const alpha = opt('spec.hyper.alpha', h.alpha, { min: 0, max: 1 });
  const beta1 = opt('spec.hyper.beta1', h.beta1, { min: 0, max: 1, maxExclusive: true });
  const outerBase = h.outerBase ?? 'OUTER_BASE_UNSPECIFIED';
  if (!['OUTER_BASE_UNSPECIFIED', 'OUTER_BASE_X', 'OUTER_BASE_INNER'].includes(outerBase as string)) {
    throw new InvalidArgumentError('spec.hyper.outer_base', `unknown value ${String(outerBase)}`);
  }
  const noiseScaling = h.noiseScaling ?? 'NOISE_SCALING_UNSPECIFIED';
  if (!['NOISE_SCALING_UNSPECIFIED', 'NOISE_SCALING_CODE', 'NOISE_SCALING_PAPER'].includes(noiseScaling as string)) {
    throw new InvalidArgumentError('spec.hyper.noise_scaling', `unknown value ${String(noiseScaling)}`);
  }
  const centreScaling = h.centreLrScaling ?? 'CENTRE_LR_SCALING_UNSPECIFIED';
  if (!['CENTRE_LR_SCALING_UNSPECIFIED', 'CENTRE_LR_SCALING_COUPLING', 'CENTRE_LR_SCALING_NONE'].includes(centreScaling as string)) {
    throw new InvalidArgumentError('spec.hyper.centre_lr_scaling', `unknown value ${String(centreScaling)}`);
  }
  let epochs = input.epochs ?? 0;
  if (epochs !== 0) num('spec.epochs', epochs, { min: 0, minExclusive: true, max: 1e6 });

  const hyper: HyperParameters__Output = {
    lr: null,
    innerLr: null,
    gamma: null,
    rho: null,
    outerBase: 'OUTER_BASE_UNSPECIFIED',
    noiseScaling: 'NOISE_SCALING_UNSPECIFIED',
    centreLrScaling: 'CENTRE_LR_SCALING_UNSPECIFIED',
    batchSize,
  };
  let L = 1;
  let tauV = 1;
  if (centre === 'parle') {
    const p = preset('parle', pm);
    if (!epochs) epochs = p.epochs;
    L = innerSteps ?? 25;
    const lrS = lr ?? p.lrSchedule;
    const mom = momentum ?? 0.9;
    Object.assign(hyper, {
      lr: lrWireOf(lrS),
      innerLr: lrWireOf(innerLr ?? lrS),
      innerSteps: L,
      gamma: scopingWireOf(gamma ?? { kind: 'capped', g0: 0.01, rate: 0.5 / nb, cap: 1 }),
      rho: scopingWireOf(rho ?? { kind: 'capped', g0: 0.01 * L * maxWorkers, rate: 0.5 / nb, cap: 10 }),
      noise: noise ?? 0,
      momentum: mom,
      nesterov: h.nesterov ?? true,
      weightDecay: weightDecay ?? wdDefault,
      beta1: beta1 ?? 0.75,
      innerMomentum: innerMomentum ?? mom,
      resetInner: h.resetInner ?? true,
      outerBase: outerBase === 'OUTER_BASE_UNSPECIFIED' ? 'OUTER_BASE_X' : outerBase,
      noiseScaling: noiseScaling === 'NOISE_SCALING_UNSPECIFIED' ? 'NOISE_SCALING_CODE' : noiseScaling,
    });
  } else if (centre === 'desgd') {
    const p = preset('dist-esgd', pm);
    if (!epochs) epochs = p.epochs;
    const o = p.optimizer as { L: number; innerLr: number; noise: number; beta1: number; innerMomentum: number; g0: number; g1: number };
    L = innerSteps ?? o.L;
    Object.assign(hyper, {
      lr: lrWireOf(lr ?? p.lrSchedule),
      innerLr: lrWireOf(innerLr ?? { kind: 'constant', lr: o.innerLr }),
      innerSteps: L,
      gamma: scopingWireOf(gamma ?? { kind: 'exponential', g0: o.g0, g1: o.g1 }),
      noise: noise ?? o.noise,
      weightDecay: weightDecay ?? wdDefault,
      beta1: beta1 ?? o.beta1,
      innerMomentum: innerMomentum ?? o.innerMomentum,
      nesterov: h.nesterov ?? true,
      resetInner: h.resetInner ?? true,
      noiseScaling: noiseScaling === 'NOISE_SCALING_UNSPECIFIED' ? 'NOISE_SCALING_CODE' : noiseScaling,
      // Unset means the preset's convention (η, not η·γ(k)) even with the job's own lr: with the
      // coupling's γ0 = 1e-4 a coupling-scaled step would leave x almost where it started.
      centreLrScaling: centreScaling === 'CENTRE_LR_SCALING_UNSPECIFIED' ? 'CENTRE_LR_SCALING_NONE' : centreScaling,
    });
  } else {
    const eam = algo === 'eamsgd' || algo === 'eamsgd-async';
    const p = preset(eam ? 'eamsgd' : 'easgd', pm);
    if (!epochs) epochs = p.epochs;
    tauV = tau ?? 1;
    Object.assign(hyper, {
      lr: lrWireOf(lr ?? p.lrSchedule),
      tau: tauV,
      alpha: alpha ?? 0.9 / maxWorkers,
      momentum: momentum ?? (eam ? 0.99 : 0),
      nesterov: h.nesterov ?? eam,
      weightDecay: weightDecay ?? wdDefault,
      noise: noise ?? 0,
    });
  }

  const roundsPerEpoch = centre === 'easgd' ? nb / tauV : nb;
  const roundsPerReplica = Math.max(1, Math.ceil(epochs * roundsPerEpoch - 1e-9));
  const plan: JobPlan = {
    algorithm: algo,
    centre,
    mode,
    trainSize,
    batchSize,
    nb,
    L,
    tau: tauV,
    roundsPerEpoch,
    totalRounds: mode === 'async' ? roundsPerReplica * maxWorkers : roundsPerReplica,
    nominalReplicas: mode === 'async' ? maxWorkers : 1,
    epochs,
    numParams: layout.numParams,
    numBuffers: layout.numBuffers,
  };

  const spec: JobSpec__Output = {
    name,
    model: modelName,
    dataset: {
      ...(ds!.source === 'name' ? { name: (ds!.name ?? '').trim().toLowerCase(), source: 'name' as const } : { path: ds!.path, source: 'path' as const }),
      trainLimit: ds!.trainLimit ?? 0,
      valLimit: ds!.valLimit ?? 0,
    },
    algorithm: input.algorithm,
    hyper,
    epochs,
    seed,
    minWorkers,
    maxWorkers,
    engine: engine as JobSpec__Output['engine'],
    evalInterval,
    checkpointInterval,
    roundDeadlineMs: deadline,
    exchangeDtype: dtype === 'DTYPE_UNSPECIFIED' ? 'DTYPE_FLOAT32' : (dtype as JobSpec__Output['exchangeDtype']),
  };
  return { spec, model, dataset, plan };
}

// ------------------------------------------------------------------------------- stored form

/** The stored (JSON) form of a resolved spec. */
export function encodeSpec(spec: JobSpec__Output): string {
  return JSON.stringify(spec);
}

export function decodeSpec(bytes: Uint8Array | string): JobSpec__Output {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return JSON.parse(text) as JobSpec__Output;
}

/** A spec as the wire's permissive JobSpec (what Job and Assignment carry). */
export function specToWire(spec: JobSpec__Output): JobSpec {
  return spec as unknown as JobSpec;
}

// ------------------------------------------------------------------------------- schedules

/** The job's schedules as functions (for the DESGD centre step). */
export interface JobSchedules {
  lr: LearningRateSchedule;
  gamma: ScopingSchedule | null;
}

export function schedulesOf(spec: JobSpec__Output): JobSchedules {
  const lr = lrSpecOf(spec.hyper?.lr);
  const gamma = scopingSpecOf(spec.hyper?.gamma);
  return { lr: makeLrSchedule(lr ?? { kind: 'constant', lr: 0 }), gamma: gamma ? makeScoping(gamma) : null };
}

// ------------------------------------------------------------------------------- epochs

/** Epochs of data per replica after `round` rounds (sync) or exchanges (async). */
export function epochAt(plan: JobPlan, round: number): number {
  return round / (plan.roundsPerEpoch * plan.nominalReplicas);
}

/** Effective epochs (ALGORITHMS.md §3.4): epoch × L. */
export function effectiveEpochAt(plan: JobPlan, round: number): number {
  return epochAt(plan, round) * plan.L;
}

/** The 1-based epoch index round k (0-based, sync) belongs to, for lr schedules. */
export function epochIndexOfRound(plan: JobPlan, k: number): number {
  return Math.floor((k * plan.tau) / plan.nb) + 1;
}
