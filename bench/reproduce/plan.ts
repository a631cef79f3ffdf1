// The experiment plan: which (model, entry, seed) cells to run and exactly how. Every cell is the
// paper protocol from core's presets (ALGORITHMS.md §3.3) with the bench's selectable variants on
// top; its key carries a hash of everything that changes its result, so a stored run is reused only
// for the very same configuration.
import { createHash } from 'node:crypto';
import {
  TickBatchSource,
  createAnalyticModel,
  createOptimizer,
  preset,
  quadraticObjective,
  type AlgorithmName,
  type EsgdVariant,
  type LrScheduleSpec,
  type OptimizerConfig,
  type PresetModelName,
} from '@deeprelax/core';
import type { PixelScale } from '@deeprelax/data';
import { paperCell } from './paper.js';

export type TableKind = 'table1' | 'dist';
export type BnRefreshMode = 'sequential' | 'sampled';
export type HeatEstimator = 'gaussian' | 'dr-compat';

/** A per-entry override from --set: `<entry or algorithm>.<field>=<JSON value>`. */
export interface SetOverride {
  target: string;
  field: string;
  value: unknown;
}

/** What a run of the bench asks for (after parsing and the --quick defaults). */
export interface PlanOptions {
  table: TableKind;
  models: string[];
  /** Entry ids: an algorithm name, optionally with a replica/worker count ("parle:2"). */
  entries: string[];
  seeds: number[];
  scale: PixelScale;
  bnRefresh: BnRefreshMode;
  /** ESGD reference variant (§2.2 difference table); undefined keeps the preset's ('lua'). */
  variant?: EsgdVariant;
  heat: HeatEstimator;
  /** Hidden dropout override (the Entropy-SGD codes use 0.5 where DR uses 0.25 / 0.2). */
  dropout?: number;
  /** 'paper': at least as many epochs as the paper's "@" needs; 'preset': core's preset epochs. */
  epochsPolicy: 'paper' | 'preset';
  /** Epoch overrides: one number for every entry, or per entry/algorithm. */
  epochs?: number | Record<string, number>;
  batchSize?: number;
  trainLimit?: number;
  testLimit?: number;
  set: SetOverride[];
  /** Stop a run once its validation error reaches the model's target (the distributed table). */
  stopAtTarget: boolean;
  /**
   * Run the distributed entries (parle:n, easgd:n, ...) on a local cluster (coordinator and n
   * worker processes, cluster-cell.ts) instead of core's one-process simulation.
   */
  cluster?: boolean;
  /** Evaluation interval of cluster runs, in epochs per replica (default: the preset's evalEvery). */
  clusterEvalEvery?: number;
  targets: Record<string, number>;
  dataDir?: string;
  /**
   * Torch intra-op threads per process. More than one changes the order of floating-point sums
   * and so the run's path (measured: mnistfc SGD reached 1.2% at 31 effective epochs on 2 threads
   * against 44 on 1), so it is part of a cell's identity; 1 (the default) leaves keys as they were.
   */
  threads?: number;
}

export interface CellSpec {
  /** File-name key: `<model>__<entry>__s<seed>__<hash>`. */
  key: string;
  hash: string;
  model: string;
  entry: string;
  label: string;
  algorithm: AlgorithmName;
  /** Replicas / workers of a distributed entry (1 for the single-process algorithms). */
  replicas: number;
  seed: number;
  dataset: 'mnist' | 'cifar10';
  dataDir?: string;
  scale: PixelScale;
  dropout?: number;
  bnRefresh: BnRefreshMode;
  optimizer: OptimizerConfig;
  lrSchedule: LrScheduleSpec;
  epochs: number;
  batchSize: number;
  evalEvery: number;
  trainLimit?: number;
  testLimit?: number;
  /** Stop once valError <= this (fraction), if set. */
  stopAtError?: number;
  /** 'cluster': run by cluster-cell.ts on real processes; absent: in one process (cell.ts). */
  runner?: 'cluster';
  /** Wire dtype of a cluster run's exchanges (float32, float16, bfloat16); absent: the job default, float32. */
  exchangeDtype?: string;
  /** Evaluation interval of a cluster run, epochs per replica. */
  clusterEvalEvery?: number;
  /** Accounting, exact (from the optimizer itself): */
  trainSize: number;
  stepsPerEpoch: number;
  gradCallsPerStep: number;
  effectiveEpochFactor: number;
  /** epochs × stepsPerEpoch × gradCallsPerStep: the work of a run that is not stopped early. */
  totalGradCalls: number;
  /** Where each protocol value comes from (the preset's sources plus the bench's changes). */
  sources: string[];
}

const LABELS: Record<string, string> = {
  sgd: 'SGD',
  esgd: 'ESGD',
  heat: 'HEAT',
  hesgd: 'H-ESGD',
  hj: 'HJ',
  parle: 'Parle',
  easgd: 'EASGD',
  eamsgd: 'EAMSGD',
  'dist-esgd': 'dist-ESGD',
};

export const TABLE1_ENTRIES = ['esgd', 'heat', 'hesgd', 'hj', 'sgd'];
export const DIST_ENTRIES = ['sgd', 'esgd', 'parle:2', 'easgd:2', 'dist-esgd:2'];
const TRAIN_SIZES: Record<string, number> = { mnist: 60000, cifar10: 50000 };
const PAPER_MODELS: readonly string[] = ['mnistfc', 'lenet', 'allcnn'];

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

export interface ParsedEntry {
  id: string;
  algorithm: AlgorithmName;
  replicas?: number;
  label: string;
}

/** "esgd", "parle:2", "easgd:4", "dist-esgd:2". */
export function parseEntry(id: string): ParsedEntry {
  const m = /^([a-z-]+)(?::(\d+))?$/.exec(id);
  if (!m || !(m[1] in LABELS)) {
    throw new PlanError(`unknown algorithm entry "${id}"; expected one of ${Object.keys(LABELS).join(', ')}, optionally ":n" for the distributed ones (parle:2)`);
  }
  const algorithm = m[1] as AlgorithmName;
  const replicas = m[2] === undefined ? undefined : Number(m[2]);
  if (replicas !== undefined) {
    if (!['parle', 'easgd', 'eamsgd', 'dist-esgd'].includes(algorithm)) throw new PlanError(`"${id}": only parle, easgd, eamsgd and dist-esgd take a replica count`);
    if (replicas < 1) throw new PlanError(`"${id}": the replica count must be >= 1`);
  }
  return { id, algorithm, replicas, label: LABELS[algorithm] + (replicas === undefined ? '' : ` n=${replicas}`) };
}

/** Sorted-key JSON, so that equal configurations hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Exact accounting of a configuration, read off the optimizer itself on core's analytic engine. */
export function probeOptimizer(config: OptimizerConfig, trainSize: number, batchSize: number): { gradCallsPerStep: number; effectiveEpochFactor: number } {
  const model = createAnalyticModel(quadraticObjective({ diag: [1, 1] }), { seed: 0 });
  try {
    const opt = createOptimizer(model, new TickBatchSource(trainSize, batchSize), config);
    const r = { gradCallsPerStep: opt.gradCallsPerStep, effectiveEpochFactor: opt.effectiveEpochFactor };
    opt.dispose();
    return r;
  } finally {
    model.dispose();
  }
}

function matches(target: string, entry: ParsedEntry): boolean {
  return target === '*' || target === entry.id || target === entry.algorithm;
}

function epochsOverride(o: PlanOptions, entry: ParsedEntry): number | undefined {
  if (o.epochs === undefined) return undefined;
  if (typeof o.epochs === 'number') return o.epochs;
  return o.epochs[entry.id] ?? o.epochs[entry.algorithm];
}

function asLrSchedule(v: unknown, where: string): LrScheduleSpec {
  if (Array.isArray(v)) return { kind: 'piecewise', rows: v as [number, number][] };
  if (typeof v === 'number') return { kind: 'constant', lr: v };
  if (v && typeof v === 'object' && 'kind' in v) return v as LrScheduleSpec;
  throw new PlanError(`${where}: lrSchedule must be [[lastEpoch, lr], ...], a number or a schedule object`);
}

/** The optimizer fields a cluster cell sends in its job spec (cluster-cell.ts): the rest is the coordinator's preset. */
export const CLUSTER_SETTABLE: readonly string[] = ['lrSchedule', 'tau', 'exchangeDtype'];

/** Wire dtypes a cluster cell may exchange in (`--set parle:2.exchangeDtype="float16"`). */
export const EXCHANGE_DTYPES: readonly string[] = ['float32', 'float16', 'bfloat16'];

/** One cell's full specification (without its seed-independent parts repeated elsewhere). */
export function cellSpec(o: PlanOptions, model: string, entryId: string, seed: number): CellSpec {
  if (!PAPER_MODELS.includes(model)) throw new PlanError(`unknown model "${model}"; the paper's networks are ${PAPER_MODELS.join(', ')}`);
  const entry = parseEntry(entryId);
  const p = preset(entry.algorithm, model as PresetModelName);
  if (p.dataset === 'cifar10' && !o.dataDir) throw new PlanError(`${model} needs CIFAR-10: pass --data-dir <cifar-10-batches-bin>`);
  const opt: Record<string, unknown> = { ...p.optimizer };
  let lrSchedule = p.lrSchedule;
  let epochs = p.epochs;
  const sources = [...p.sources, `core preset ${entry.algorithm}/${model}`];
  if (entry.replicas !== undefined) {
    if (entry.algorithm === 'parle') opt.replicas = entry.replicas;
    else opt.workers = entry.replicas;
    if (entry.algorithm === 'easgd' || entry.algorithm === 'eamsgd') {
      opt.alpha = 0.9 / entry.replicas;
      sources.push(`bench: p = ${entry.replicas}, α = β/p with β = 0.9 ([MPIT])`);
    }
  }
  if (entry.algorithm === 'esgd' && o.variant !== undefined) {
    opt.variant = o.variant;
    sources.push(`bench: ESGD variant ${o.variant}`);
  }
  if (entry.algorithm === 'heat' && o.heat === 'dr-compat') {
    // [DR-CODE] class HEAT is ESGD (dr) with a uniform trajectory average; its coupling g0 = 10,
    // g1 = 0 are the class defaults, and its outer direction x − μ takes ESGD's lr convention.
    const e = preset('esgd', model as PresetModelName);
    Object.assign(opt, { estimator: 'dr-compat', g0: 10, g1: 0 });
    lrSchedule = e.lrSchedule;
    epochs = e.epochs;
    sources.push('bench: HEAT dr-compat with the HEAT class defaults g0 = 10, g1 = 0; [guess] ESGD lr schedule and epochs');
  }
  const onCluster = Boolean(o.cluster) && entry.replicas !== undefined;
  // Part of the identity (and so of the hash) only for cluster cells: other cells keep their keys.
  const cluster = onCluster ? { runner: 'cluster' as const, clusterEvalEvery: o.clusterEvalEvery ?? p.evalEvery } : {};
  if (onCluster && o.scale !== 'unit') throw new PlanError(`${entry.id}: cluster runs use the services' MNIST scaling (unit); --scale ${o.scale} is for one-process runs`);
  // The wire dtype of a cluster job's exchanges (a job setting, not an optimizer one).
  let exchangeDtype: string | undefined;
  for (const s of o.set) {
    if (!matches(s.target, entry)) continue;
    if (onCluster && !CLUSTER_SETTABLE.includes(s.field)) {
      throw new PlanError(`--set ${s.target}.${s.field}: a cluster run takes the coordinator's preset; only ${CLUSTER_SETTABLE.join(', ')} (and --epochs) carry over`);
    }
    if (onCluster && s.field === 'tau' && entry.algorithm !== 'easgd' && entry.algorithm !== 'eamsgd') {
      throw new PlanError(`--set ${s.target}.tau: τ is EASGD's communication period; ${entry.id} on the cluster does not take it`);
    }
    if (s.field === 'exchangeDtype') {
      if (!onCluster) throw new PlanError(`--set ${s.target}.exchangeDtype: the wire dtype is for cluster runs (--cluster); a one-process run exchanges nothing`);
      if (!EXCHANGE_DTYPES.includes(s.value as string)) throw new PlanError(`--set ${s.target}.exchangeDtype: expected one of ${EXCHANGE_DTYPES.map((d) => `"${d}"`).join(', ')}, got ${JSON.stringify(s.value)}`);
      exchangeDtype = s.value as string;
    } else if (s.field === 'lrSchedule') lrSchedule = asLrSchedule(s.value, `--set ${s.target}.lrSchedule`);
    else if (s.field === 'algorithm') throw new PlanError('--set cannot change the algorithm');
    else opt[s.field] = s.value;
    sources.push(`bench: --set ${s.target}.${s.field}=${JSON.stringify(s.value)}`);
  }
  const batchSize = o.batchSize ?? p.batchSize;
  const trainSize = Math.min(TRAIN_SIZES[p.dataset], o.trainLimit ?? Infinity);
  let probe;
  try {
    probe = probeOptimizer(opt as unknown as OptimizerConfig, trainSize, batchSize);
  } catch (e) {
    throw new PlanError(`${model}/${entry.id}: invalid optimizer configuration: ${(e as Error).message}`);
  }
  const paper = paperCell(model, entry.algorithm);
  const override = epochsOverride(o, entry);
  if (override !== undefined) {
    epochs = override;
  } else if (o.epochsPolicy === 'paper' && paper && entry.replicas === undefined) {
    const need = Math.ceil(paper.at / probe.effectiveEpochFactor);
    if (need > epochs) {
      sources.push(`bench: ${need} epochs (preset ${epochs}) so that the paper's @${paper.at} effective epochs is reached`);
      epochs = need;
    }
  }
  if (!Number.isInteger(epochs) || epochs < 1) throw new PlanError(`${model}/${entry.id}: epochs must be a positive integer, got ${epochs}`);
  const stepsPerEpoch = Math.ceil(trainSize / batchSize);
  const dataset = p.dataset;
  const stopAtError = o.stopAtTarget ? o.targets[model] : undefined;
  const identity = {
    v: 1,
    model,
    entry: entry.id,
    seed,
    dataset,
    scale: dataset === 'mnist' ? o.scale : undefined,
    dropout: o.dropout,
    bnRefresh: o.bnRefresh,
    optimizer: opt,
    lrSchedule,
    epochs,
    batchSize,
    evalEvery: p.evalEvery,
    trainLimit: o.trainLimit,
    testLimit: o.testLimit,
    stopAtError,
    ...cluster,
    ...(o.threads !== undefined && o.threads > 1 ? { threads: o.threads } : {}),
    ...(exchangeDtype !== undefined ? { exchangeDtype } : {}),
  };
  const hash = createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 10);
  return {
    key: `${model}__${entry.id.replace(':', '-n')}__s${seed}__${hash}`,
    hash,
    model,
    entry: entry.id,
    label: entry.label,
    algorithm: entry.algorithm,
    replicas: entry.replicas ?? (typeof opt.replicas === 'number' ? opt.replicas : typeof opt.workers === 'number' ? opt.workers : 1),
    seed,
    dataset,
    dataDir: dataset === 'cifar10' ? o.dataDir : undefined,
    scale: o.scale,
    dropout: o.dropout,
    bnRefresh: o.bnRefresh,
    optimizer: opt as unknown as OptimizerConfig,
    lrSchedule,
    epochs,
    batchSize,
    evalEvery: p.evalEvery,
    trainLimit: o.trainLimit,
    testLimit: o.testLimit,
    stopAtError,
    ...cluster,
    ...(exchangeDtype !== undefined ? { exchangeDtype } : {}),
    trainSize,
    stepsPerEpoch,
    gradCallsPerStep: probe.gradCallsPerStep,
    effectiveEpochFactor: probe.effectiveEpochFactor,
    totalGradCalls: epochs * stepsPerEpoch * probe.gradCallsPerStep,
    sources,
  };
}

/**
 * All cells, seed-major (every model and entry for the first seed, then the next seed), so that a
 * partial run already covers every column of the table.
 */
export function planCells(o: PlanOptions): CellSpec[] {
  if (o.seeds.length === 0) throw new PlanError('no seeds');
  if (new Set(o.seeds).size !== o.seeds.length) throw new PlanError('seeds must be distinct');
  const cells: CellSpec[] = [];
  for (const seed of o.seeds) for (const model of o.models) for (const e of o.entries) cells.push(cellSpec(o, model, e, seed));
  return cells;
}
