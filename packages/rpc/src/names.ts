// Short names of wire enums (for the CLI, job files, logs) and the tensor names of exchanges.
import { Algorithm, type Algorithm__Output } from './generated/deeprelax/v1/Algorithm.js';
import { EngineKind, type EngineKind__Output } from './generated/deeprelax/v1/EngineKind.js';
import { JobState, type JobState__Output } from './generated/deeprelax/v1/JobState.js';
import { InvalidArgumentError } from './errors.js';

/** Tensor names used in exchanges and weight streams (see coordinator.proto's table). */
export const TensorNames = {
  /** Reference weights x, or a replica's x^a / x^i. */
  x: 'x',
  /** Parle: a replica's running average z^a of its inner iterates. */
  z: 'z',
  /** Parle: the mean of the z^a over the replicas (reply of phase 0). */
  meanZ: 'mean_z',
  /** Distributed ESGD: a worker's average mu_i of its inner iterates. */
  mu: 'mu',
  /** EASGD: the centre variable x~ the elastic update was computed against. */
  center: 'center',
  /** EASGD async: the elastic difference alpha (x^i - x~). */
  elastic: 'elastic',
  /** Batch-norm running statistics. */
  buffers: 'buffers',
} as const;

/** Short names of the distributed algorithms, as the CLI and job files spell them. */
export type JobAlgorithmName = 'parle' | 'easgd' | 'easgd-async' | 'eamsgd' | 'eamsgd-async' | 'desgd';

const ALGORITHMS: Record<JobAlgorithmName, Algorithm__Output> = {
  parle: Algorithm.ALGORITHM_PARLE,
  easgd: Algorithm.ALGORITHM_EASGD,
  'easgd-async': Algorithm.ALGORITHM_EASGD_ASYNC,
  eamsgd: Algorithm.ALGORITHM_EAMSGD,
  'eamsgd-async': Algorithm.ALGORITHM_EAMSGD_ASYNC,
  desgd: Algorithm.ALGORITHM_DESGD,
};

/** Accepted spellings besides the short names (packages/core calls distributed ESGD 'dist-esgd'). */
const ALGORITHM_ALIASES: Record<string, JobAlgorithmName> = { 'dist-esgd': 'desgd' };

export const JOB_ALGORITHM_NAMES = Object.keys(ALGORITHMS) as readonly JobAlgorithmName[];

/** 'easgd-async' -> 'ALGORITHM_EASGD_ASYNC'; INVALID_ARGUMENT naming `field` when unknown. */
export function algorithmFromName(name: string, field = 'spec.algorithm'): Algorithm__Output {
  const key = name.toLowerCase();
  const a = ALGORITHMS[(ALGORITHM_ALIASES[key] ?? key) as JobAlgorithmName];
  if (!a) {
    throw new InvalidArgumentError(field, `unknown algorithm "${name}"; expected one of ${JOB_ALGORITHM_NAMES.join(', ')}`);
  }
  return a;
}

/** 'ALGORITHM_EASGD_ASYNC' -> 'easgd-async'; null for UNSPECIFIED. */
export function algorithmName(a: Algorithm__Output): JobAlgorithmName | null {
  for (const [k, v] of Object.entries(ALGORITHMS)) if (v === a) return k as JobAlgorithmName;
  return null;
}

/** Whether an algorithm runs asynchronous exchanges. */
export function isAsyncAlgorithm(a: Algorithm__Output): boolean {
  return a === Algorithm.ALGORITHM_EASGD_ASYNC || a === Algorithm.ALGORITHM_EAMSGD_ASYNC;
}

export type EngineName = 'auto' | 'torch' | 'tfjs';

const ENGINES: Record<EngineName, EngineKind__Output> = {
  auto: EngineKind.ENGINE_KIND_AUTO,
  torch: EngineKind.ENGINE_KIND_TORCH,
  tfjs: EngineKind.ENGINE_KIND_TFJS,
};

export function engineFromName(name: string, field = 'spec.engine'): EngineKind__Output {
  const e = ENGINES[name.toLowerCase() as EngineName];
  if (!e) throw new InvalidArgumentError(field, `unknown engine "${name}"; expected auto, torch or tfjs`);
  return e;
}

export function engineName(e: EngineKind__Output): EngineName {
  for (const [k, v] of Object.entries(ENGINES)) if (v === e) return k as EngineName;
  return 'auto';
}

export type JobStateName = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** 'JOB_STATE_RUNNING' -> 'running'; null for UNSPECIFIED. */
export function jobStateName(s: JobState__Output): JobStateName | null {
  if (s === JobState.JOB_STATE_UNSPECIFIED) return null;
  return s.slice('JOB_STATE_'.length).toLowerCase() as JobStateName;
}

export function jobStateFromName(name: string, field = 'state'): JobState__Output {
  const key = `JOB_STATE_${name.toUpperCase()}` as keyof typeof JobState;
  const s = JobState[key];
  if (!s || s === JobState.JOB_STATE_UNSPECIFIED) throw new InvalidArgumentError(field, `unknown job state "${name}"`);
  return s;
}

/** SUCCEEDED, FAILED and CANCELLED are final. */
export function isTerminalJobState(s: JobState__Output): boolean {
  return s === JobState.JOB_STATE_SUCCEEDED || s === JobState.JOB_STATE_FAILED || s === JobState.JOB_STATE_CANCELLED;
}
