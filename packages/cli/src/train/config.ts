// `deeprelax train` options: loose strings from the command line compiled once into a strict,
// validated TrainRunConfig (zod), with the paper's preset for (algorithm, model) underneath and the
// user's flags on top.
import { z } from 'zod';
import {
  ALGORITHM_NAMES,
  PRESET_MODELS,
  makeLrSchedule,
  preset,
  type AlgorithmName,
  type LrScheduleSpec,
  type OptimizerConfig,
  type PresetModelName,
} from '@deeprelax/core';
import { DATASET_NAMES, type DatasetName } from '@deeprelax/data';
import { modelNames } from '@deeprelax/models';
import { ENGINE_CHOICES, type EngineChoice } from '@deeprelax/runtime';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const num = (what: string) =>
  z.coerce.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be finite`);
const posInt = (what: string) => z.coerce.number().int(`${what} must be an integer`).positive(`${what} must be > 0`);
const nonNeg = (what: string) => num(what).refine((v) => v >= 0, `${what} must be >= 0`);

/** Raw flags as commander hands them over (strings, booleans, arrays). */
export const trainFlagsSchema = z
  .object({
    model: z.string().refine((m) => modelNames().includes(m), {
      message: `unknown model; known models: ${modelNames().join(', ')}`,
    }),
    dataset: z.enum(DATASET_NAMES as [DatasetName, ...DatasetName[]]).optional(),
    dataDir: z.string().min(1).optional(),
    algo: z.enum(ALGORITHM_NAMES as [AlgorithmName, ...AlgorithmName[]], {
      error: `unknown algorithm; expected one of ${ALGORITHM_NAMES.join(', ')}`,
    }),
    epochs: posInt('--epochs').optional(),
    seed: z.coerce.number().int('--seed must be an integer').nonnegative().default(42),
    engine: z.enum(ENGINE_CHOICES as [EngineChoice, ...EngineChoice[]]).default('auto'),
    device: z.enum(['cpu', 'cuda', 'auto']).optional(),
    threads: posInt('--threads').optional(),
    // An empty value is an error, not 0 (which would turn the cache off).
    cpuCacheMib: z
      .preprocess(
        (v) => (typeof v === 'string' && v.trim() === '' ? Number.NaN : v),
        z.coerce
          .number({ error: '--cpu-cache-mib must be a number' })
          .int('--cpu-cache-mib must be an integer')
          .min(0, '--cpu-cache-mib must be >= 0')
          .max(1 << 20, '--cpu-cache-mib must be <= 1048576'),
      )
      .optional(),
    batchSize: posInt('--batch-size').optional(),
    lr: nonNeg('--lr').optional(),
    lrSchedule: z.string().optional(),
    L: posInt('-L').optional(),
    innerLr: nonNeg('--inner-lr').optional(),
    noise: nonNeg('--noise').optional(),
    g0: nonNeg('--g0').optional(),
    g1: num('--g1').refine((v) => v > -1, '--g1 must be > -1').optional(),
    momentum: num('--momentum').refine((v) => v >= 0 && v < 1, '--momentum must be in [0, 1)').optional(),
    nesterov: z.boolean().optional(),
    weightDecay: nonNeg('--weight-decay').optional(),
    variant: z.string().optional(),
    replicas: posInt('--replicas').optional(),
    set: z.array(z.string()).default([]),
    evalEvery: posInt('--eval-every').optional(),
    trainLimit: posInt('--train-limit').optional(),
    testLimit: posInt('--test-limit').optional(),
    out: z.string().optional(),
    plot: z.enum(['svg', 'png']).default('svg'),
  })
  .strict();

export type TrainFlags = z.input<typeof trainFlagsSchema>;

export interface TrainRunConfig {
  model: string;
  dataset: DatasetName;
  dataDir?: string;
  algorithm: AlgorithmName;
  optimizer: OptimizerConfig;
  lrSchedule: LrScheduleSpec;
  epochs: number;
  batchSize: number;
  evalEvery: number;
  seed: number;
  engine: EngineChoice;
  device?: 'cpu' | 'cuda' | 'auto';
  threads?: number;
  /** torch: MiB of freed large CPU blocks kept for reuse (default 512, 0 = off). */
  cpuCacheMiB?: number;
  trainLimit?: number;
  testLimit?: number;
  outDir: string;
  plot: 'svg' | 'png';
  /** Which preset the defaults came from, for the log. */
  presetFrom: string;
}

/** "E:lr,E:lr" (piecewise, last epoch of each row), "step:lr0:factor:every", or a number. */
export function parseLrSchedule(text: string): LrScheduleSpec {
  const t = text.trim();
  let spec: LrScheduleSpec;
  if (/^step:/.test(t)) {
    const [, a, b, c] = t.split(':');
    spec = { kind: 'step', lr0: Number(a), factor: Number(b), every: Number(c) };
  } else if (t.includes(':')) {
    const rows = t.split(',').map((row) => {
      const [e, lr] = row.split(':');
      return [Number(e), Number(lr)] as [number, number];
    });
    spec = { kind: 'piecewise', rows };
  } else {
    spec = { kind: 'constant', lr: Number(t) };
  }
  try {
    makeLrSchedule(spec);
  } catch (e) {
    throw new UsageError(`--lr-schedule "${text}": ${(e as Error).message} (forms: "2:1.0,15:0.1", "step:0.1:0.2:30", "0.1")`);
  }
  return spec;
}

function parseSet(items: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const it of items) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(it);
    if (!m) throw new UsageError(`--set "${it}": expected key=value, e.g. --set beta=0.5`);
    let v: unknown = m[2];
    try {
      v = JSON.parse(m[2]);
    } catch {
      /* keep as string */
    }
    out[m[1]] = v;
  }
  return out;
}

function defaultDataset(model: string): DatasetName {
  return model === 'allcnn' ? 'cifar10' : 'mnist';
}

/** The preset's network: the model itself if it is one of the paper's, else the closest one. */
function presetModelFor(model: string): PresetModelName {
  if ((PRESET_MODELS as readonly string[]).includes(model)) return model as PresetModelName;
  return model === 'tinyconv' ? 'lenet' : 'mnistfc';
}

export function compileTrainConfig(flags: TrainFlags): TrainRunConfig {
  const parsed = trainFlagsSchema.safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || 'arguments';
    throw new UsageError(`invalid --${field.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${issue.message}`);
  }
  const f = parsed.data;
  const pm = presetModelFor(f.model);
  const p = preset(f.algo, pm);
  const opt: Record<string, unknown> = { ...p.optimizer };
  const assign = (k: string, v: unknown) => {
    if (v !== undefined) opt[k] = v;
  };
  assign('L', f.L);
  assign('innerLr', f.innerLr);
  assign('noise', f.noise);
  assign('momentum', f.momentum);
  assign('nesterov', f.nesterov);
  assign('weightDecay', f.weightDecay);
  assign('variant', f.variant);
  assign('replicas', f.replicas);
  if (f.g0 !== undefined || f.g1 !== undefined) {
    const prev = opt.scoping as { kind?: string; g0?: number; g1?: number } | undefined;
    const prevG0 = prev?.kind === 'exponential' ? prev.g0 : (opt.g0 as number | undefined);
    const prevG1 = prev?.kind === 'exponential' ? prev.g1 : (opt.g1 as number | undefined);
    opt.scoping = { kind: 'exponential', g0: f.g0 ?? prevG0 ?? 1e-4, g1: f.g1 ?? prevG1 ?? 0 };
  }
  Object.assign(opt, parseSet(f.set));
  if (f.algo === 'sgd' && f.L !== undefined) throw new UsageError('-L has no meaning for --algo sgd (use esgd, hj, hesgd or heat)');
  let lrSchedule: LrScheduleSpec = p.lrSchedule;
  if (f.lrSchedule !== undefined && f.lr !== undefined) throw new UsageError('give either --lr or --lr-schedule, not both');
  if (f.lrSchedule !== undefined) lrSchedule = parseLrSchedule(f.lrSchedule);
  if (f.lr !== undefined) lrSchedule = { kind: 'constant', lr: f.lr };
  const dataset = f.dataset ?? defaultDataset(f.model);
  if ((dataset === 'idx' || dataset === 'cifar10') && !f.dataDir) {
    throw new UsageError(`--dataset ${dataset} needs --data-dir <directory>`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    model: f.model,
    dataset,
    dataDir: f.dataDir,
    algorithm: f.algo,
    optimizer: opt as unknown as OptimizerConfig,
    lrSchedule,
    epochs: f.epochs ?? p.epochs,
    batchSize: f.batchSize ?? p.batchSize,
    evalEvery: f.evalEvery ?? p.evalEvery,
    seed: f.seed,
    engine: f.engine,
    device: f.device,
    threads: f.threads,
    cpuCacheMiB: f.cpuCacheMib,
    trainLimit: f.trainLimit,
    testLimit: f.testLimit,
    outDir: f.out ?? `runs/${f.model}-${f.algo}-s${f.seed}-${stamp}`,
    plot: f.plot,
    presetFrom: `${f.algo}/${pm}`,
  };
}
