// From an Assignment (wire) to a JobPlan (what this worker runs): the algorithm's replica config for
// packages/core's distributed halves, schedules, data and seeds. Wire-to-core translation lives here
// only; unset fields take the same defaults as core's presets (the coordinator fills defaults in
// at submission, so normally every field is set).
import type { LrScheduleSpec, ResolvedParleReplicaConfig, ScopingSpec } from '@deeprelax/core';
import { makeLrSchedule, makeScoping, resolveParleReplicaConfig } from '@deeprelax/core';
import type { DatasetName } from '@deeprelax/data';
import { DATASET_NAMES } from '@deeprelax/data';
import {
  algorithmName,
  dtypeFromProto,
  engineName,
  type Assignment__Output,
  type CouplingSchedule__Output,
  type HyperParameters__Output,
  type JobAlgorithmName,
  type LrSchedule__Output,
  type WireDType,
} from '@deeprelax/rpc';
import type { EngineChoice } from '@deeprelax/runtime';

export class PlanError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PlanError';
  }
}

/** Core's resolved replica config, less the lrs (they come from the schedules per epoch). */
export interface ParlePlan extends Omit<ResolvedParleReplicaConfig, 'lr' | 'innerLr'> {
  kind: 'parle';
  innerLrSchedule: LrScheduleSpec | null;
}

export interface EasgdPlan {
  kind: 'easgd';
  /** Local steps between exchanges τ (a round is τ local steps and one exchange). */
  tau: number;
  alpha: number;
  momentum: number;
  weightDecay: number;
  async: boolean;
}

export interface DesgdPlan {
  kind: 'desgd';
  L: number;
  innerLrSchedule: LrScheduleSpec;
  noise: number;
  noiseScaling: 'code' | 'paper';
  beta1: number;
  weightDecay: number;
  innerMomentum: number;
  reset: boolean;
  scoping: ScopingSpec;
}

export interface JobPlan {
  jobId: string;
  algorithm: JobAlgorithmName;
  model: string;
  dataset: { name: DatasetName; dir: string | null; trainLimit: number; valLimit: number };
  replica: number;
  replicas: number;
  seed: number;
  batchSize: number;
  epochs: number;
  /** Outer / local learning rate per 1-based epoch. */
  lrSchedule: LrScheduleSpec;
  engine: EngineChoice;
  exchangeDtype: WireDType;
  maxChunkBytes: number;
  numParams: number;
  startRound: number;
  /** Inner steps (minibatches) per round: L for Parle/DESGD, τ for EASGD. */
  stepsPerRound: number;
  algo: ParlePlan | EasgdPlan | DesgdPlan;
}

export function lrScheduleFromWire(s: LrSchedule__Output | null | undefined, field: string): LrScheduleSpec | null {
  if (!s || !s.schedule) return null;
  let spec: LrScheduleSpec;
  switch (s.schedule) {
    case 'constant':
      spec = { kind: 'constant', lr: s.constant ?? 0 };
      break;
    case 'piecewise':
      spec = { kind: 'piecewise', rows: (s.piecewise?.rows ?? []).map((r) => [r.lastEpoch, r.lr] as [number, number]) };
      break;
    case 'stepDecay':
      spec = { kind: 'step', lr0: s.stepDecay?.lr0 ?? 0, factor: s.stepDecay?.factor ?? 1, every: s.stepDecay?.everyEpochs || 1 };
      break;
    default:
      throw new PlanError(field, `unknown schedule ${String(s.schedule)}`);
  }
  try {
    makeLrSchedule(spec);
  } catch (e) {
    throw new PlanError(field, (e as Error).message);
  }
  return spec;
}

export function scopingFromWire(s: CouplingSchedule__Output | null | undefined, field: string): ScopingSpec | null {
  if (!s || !s.schedule) return null;
  let spec: ScopingSpec;
  switch (s.schedule) {
    case 'constant':
      spec = { kind: 'constant', g: s.constant ?? 0 };
      break;
    case 'exponential':
      spec = { kind: 'exponential', g0: s.exponential?.g0 ?? 0, g1: s.exponential?.g1 ?? 0 };
      break;
    case 'capped':
      spec = { kind: 'capped', g0: s.capped?.g0 ?? 0, rate: s.capped?.rate ?? 0, cap: s.capped?.cap ?? Infinity };
      break;
    case 'variance':
      spec = { kind: 'variance', gamma0: s.variance?.gamma0 ?? 1, decay: s.variance?.decay ?? 0 };
      break;
    default:
      throw new PlanError(field, `unknown schedule ${String(s.schedule)}`);
  }
  try {
    makeScoping(spec);
  } catch (e) {
    throw new PlanError(field, (e as Error).message);
  }
  return spec;
}

/** Batches per epoch of the replica's stream (ceil(N/m)). */
export function batchesPerEpoch(trainSize: number, batchSize: number): number {
  return Math.ceil(trainSize / batchSize);
}

/** Core's replica config (its defaults and checks) for the wire's hyper-parameters, less the lrs. */
function parleReplicaFromWire(
  h: HyperParameters__Output | null | undefined,
  replicas: number,
  epoch: { size: number; batchSize: number },
): Omit<ResolvedParleReplicaConfig, 'lr' | 'innerLr'> {
  let r: ResolvedParleReplicaConfig;
  try {
    r = resolveParleReplicaConfig(
      {
        L: h?.innerSteps || undefined,
        beta1: h?.beta1,
        momentum: h?.momentum,
        innerMomentum: h?.innerMomentum,
        nesterov: h?.nesterov,
        weightDecay: h?.weightDecay,
        noise: h?.noise,
        replicas,
        gammaScoping: scopingFromWire(h?.gamma, 'spec.hyper.gamma') ?? undefined,
        rhoScoping: scopingFromWire(h?.rho, 'spec.hyper.rho') ?? undefined,
        resetZ: h?.resetInner,
        outerBase: h?.outerBase === 'OUTER_BASE_INNER' ? 'inner' : 'x',
      },
      epoch,
    );
  } catch (e) {
    if (e instanceof PlanError) throw e;
    throw new PlanError('spec.hyper', (e as Error).message);
  }
  const { lr: _lr, innerLr: _innerLr, ...rest } = r;
  return rest;
}

/**
 * The plan for an assignment. `trainSize` (samples in the training split after train_limit) is
 * needed for the default Parle schedules (rate 0.5/nb).
 */
export function planFromAssignment(a: Assignment__Output, trainSize: number): JobPlan {
  const spec = a.spec;
  if (!spec) throw new PlanError('assignment.spec', 'missing');
  const algorithm = algorithmName(spec.algorithm);
  if (!algorithm) throw new PlanError('spec.algorithm', 'unspecified');
  const h = spec.hyper;
  const dsName = (spec.dataset?.name || (spec.dataset?.path ? 'idx' : 'mnist')) as DatasetName;
  if (!DATASET_NAMES.includes(dsName)) throw new PlanError('spec.dataset.name', `unknown dataset "${dsName}"`);
  const batchSize = h?.batchSize || 128;
  const replicas = Math.max(1, a.replicas || spec.maxWorkers || spec.minWorkers || 1);
  const momentum = h?.momentum;
  const wd = h?.weightDecay ?? 0;
  let algo: JobPlan['algo'];
  let defaultLr: LrScheduleSpec;
  switch (algorithm) {
    case 'parle': {
      algo = {
        kind: 'parle',
        innerLrSchedule: lrScheduleFromWire(h?.innerLr, 'spec.hyper.inner_lr'),
        ...parleReplicaFromWire(h, replicas, { size: trainSize, batchSize }),
      };
      defaultLr = { kind: 'step', lr0: 0.1, factor: 0.1, every: 1 };
      break;
    }
    case 'easgd':
    case 'easgd-async':
    case 'eamsgd':
    case 'eamsgd-async': {
      const eam = algorithm.startsWith('eamsgd');
      algo = {
        kind: 'easgd',
        tau: h?.tau || 1,
        alpha: h?.alpha ?? 0.9 / replicas,
        momentum: momentum ?? (eam ? 0.99 : 0),
        weightDecay: wd,
        async: algorithm.endsWith('-async'),
      };
      defaultLr = { kind: 'constant', lr: eam ? 0.01 : 0.1 };
      break;
    }
    case 'desgd': {
      algo = {
        kind: 'desgd',
        L: h?.innerSteps || 20,
        innerLrSchedule: lrScheduleFromWire(h?.innerLr, 'spec.hyper.inner_lr') ?? { kind: 'constant', lr: 0.1 },
        noise: h?.noise ?? 1e-4,
        noiseScaling: h?.noiseScaling === 'NOISE_SCALING_PAPER' ? 'paper' : 'code',
        beta1: h?.beta1 ?? 0.75,
        weightDecay: wd,
        innerMomentum: h?.innerMomentum ?? 0,
        reset: h?.resetInner ?? true,
        scoping: scopingFromWire(h?.gamma, 'spec.hyper.gamma') ?? { kind: 'exponential', g0: 1e-4, g1: 1e-3 },
      };
      defaultLr = { kind: 'constant', lr: 1 };
      break;
    }
  }
  const lrSchedule = lrScheduleFromWire(h?.lr, 'spec.hyper.lr') ?? defaultLr;
  const stepsPerRound = algo.kind === 'easgd' ? algo.tau : algo.L;
  if (!spec.model) throw new PlanError('spec.model', 'missing');
  return {
    jobId: a.jobId,
    algorithm,
    model: spec.model,
    dataset: {
      name: dsName,
      dir: spec.dataset?.path || null,
      trainLimit: spec.dataset?.trainLimit ?? 0,
      valLimit: spec.dataset?.valLimit ?? 0,
    },
    replica: a.replica,
    replicas,
    seed: spec.seed ?? 0,
    batchSize,
    epochs: spec.epochs || 1,
    lrSchedule,
    engine: engineName(spec.engine),
    exchangeDtype: dtypeFromProto(spec.exchangeDtype, 'spec.exchange_dtype'),
    maxChunkBytes: a.maxChunkBytes || 1024 * 1024,
    numParams: a.numParams,
    startRound: a.round,
    stepsPerRound,
    algo,
  };
}
