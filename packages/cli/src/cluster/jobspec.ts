// A JobSpec (the wire message) from a job file (JSON or YAML) and/or `submit` flags. Flags win over
// the file. Names are the short ones users type ('parle', 'easgd-async', 'mnist', 'auto'); schedules
// may be written as numbers or strings ("2:1.0,15:0.1", "step:0.1:0.1:1"; couplings "0.01",
// "exp:1e-4:1e-3", "capped:0.01:0.002:1", "var:100:0.001"). Only the shape is checked here; the
// coordinator validates the values and answers INVALID_ARGUMENT naming the field.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  algorithmFromName,
  engineFromName,
  InvalidArgumentError,
  type CouplingSchedule,
  type DType,
  type HyperParameters,
  type Interval,
  type JobSpec,
  type LrSchedule,
} from '@deeprelax/rpc';
import { UsageError, parseLrSchedule } from '../train/config.js';

/** `submit` flags that shape the spec (strings as commander hands them over). */
export interface JobFlags {
  file?: string;
  name?: string;
  model?: string;
  dataset?: string;
  dataPath?: string;
  trainLimit?: string;
  valLimit?: string;
  algo?: string;
  epochs?: string;
  seed?: string;
  workers?: string;
  minWorkers?: string;
  maxWorkers?: string;
  engine?: string;
  lr?: string;
  lrSchedule?: string;
  innerLr?: string;
  L?: string;
  gamma?: string;
  rho?: string;
  noise?: string;
  momentum?: string;
  nesterov?: boolean;
  weightDecay?: string;
  batchSize?: string;
  tau?: string;
  alpha?: string;
  beta1?: string;
  innerMomentum?: string;
  resetInner?: boolean;
  outerBase?: string;
  noiseScaling?: string;
  centreLrScaling?: string;
  evalEvery?: string;
  checkpointEvery?: string;
  roundDeadlineMs?: string;
  dtype?: string;
}

function num(v: string | number | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || String(v).trim() === '') throw new UsageError(`${flag} "${v}": expected a number`);
  return n;
}

function int(v: string | number | undefined, flag: string, min = 0): number | undefined {
  const n = num(v, flag);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} "${v}": expected an integer >= ${min}`);
  return n;
}

/** "0.1" | "2:1.0,15:0.1" | "step:0.1:0.1:1" -> wire LrSchedule. */
export function lrScheduleToWire(text: string | number, flag: string): LrSchedule {
  const spec = typeof text === 'number' ? { kind: 'constant' as const, lr: text } : parseLrSchedule(String(text));
  switch (spec.kind) {
    case 'constant':
      if (!Number.isFinite(spec.lr)) throw new UsageError(`${flag} "${text}": expected a number or a schedule`);
      return { constant: spec.lr };
    case 'piecewise':
      return { piecewise: { rows: spec.rows.map(([lastEpoch, lr]) => ({ lastEpoch, lr })) } };
    case 'step':
      return { stepDecay: { lr0: spec.lr0, factor: spec.factor, everyEpochs: spec.every } };
  }
}

/** "0.01" | "exp:g0:g1" | "capped:g0:rate:cap" | "var:gamma0:decay" -> wire CouplingSchedule. */
export function couplingToWire(text: string | number, flag: string): CouplingSchedule {
  const t = String(text).trim();
  const parts = t.split(':');
  const nums = parts.slice(1).map((p) => Number(p));
  const bad = () => new UsageError(`${flag} "${t}": expected a number, "exp:g0:g1", "capped:g0:rate:cap" or "var:gamma0:decay"`);
  if (parts.length === 1) {
    const g = Number(t);
    if (!Number.isFinite(g) || t === '') throw bad();
    return { constant: g };
  }
  if (nums.some((n) => !Number.isFinite(n))) throw bad();
  switch (parts[0]) {
    case 'exp':
    case 'exponential':
      if (nums.length !== 2) throw bad();
      return { exponential: { g0: nums[0], g1: nums[1] } };
    case 'capped':
      if (nums.length !== 3) throw bad();
      return { capped: { g0: nums[0], rate: nums[1], cap: nums[2] } };
    case 'var':
    case 'variance':
      if (nums.length !== 2) throw bad();
      return { variance: { gamma0: nums[0], decay: nums[1] } };
    default:
      throw bad();
  }
}

/** "1" / "1e" / "2.5epochs" (epochs), "100r" / "100rounds", "30s" -> wire Interval. */
export function intervalToWire(text: string | number, flag: string): Interval {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(e|ep|epochs?|r|rounds?|s|sec|seconds?)?\s*$/i.exec(String(text));
  if (!m) throw new UsageError(`${flag} "${text}": expected e.g. "1" or "1e" (epochs), "50r" (rounds), "30s" (seconds)`);
  const v = Number(m[1]);
  const unit = (m[2] ?? 'e').toLowerCase();
  if (unit.startsWith('r')) {
    if (!Number.isInteger(v)) throw new UsageError(`${flag} "${text}": rounds must be an integer`);
    return { rounds: v };
  }
  if (unit.startsWith('s')) return { seconds: v };
  return { epochs: v };
}

const DTYPES: Record<string, DType> = { float32: 'DTYPE_FLOAT32', float16: 'DTYPE_FLOAT16', bfloat16: 'DTYPE_BFLOAT16' };

function dtypeToWire(text: string, flag: string): DType {
  const d = DTYPES[text.toLowerCase()];
  if (!d) throw new UsageError(`${flag} "${text}": expected float32, float16 or bfloat16`);
  return d;
}

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Deep copy with snake_case keys turned into camelCase (job files may use the proto's names). */
function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[snakeToCamel(k)] = camelKeys(x);
    return out;
  }
  return v;
}

/** Reads a job file: .json, .yaml/.yml (or anything that parses as YAML, a superset of JSON). */
export function readJobFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`job file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UsageError(`job file ${path}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`job file ${path}: expected a mapping of job fields`);
  const obj = camelKeys(data) as Record<string, unknown>;
  // A file may wrap the spec as { spec: {...} } (the shape of Job / SubmitJobRequest).
  return (obj.spec && typeof obj.spec === 'object' ? obj.spec : obj) as Record<string, unknown>;
}

const HYPER_NUMBERS = ['innerSteps', 'noise', 'momentum', 'weightDecay', 'batchSize', 'tau', 'alpha', 'beta1', 'innerMomentum'] as const;

/** Normalises a job file's object (short names, schedule strings) into a wire JobSpec. */
export function specFromObject(o: Record<string, unknown>, where = 'job file'): JobSpec {
  const known = new Set([
    'name', 'model', 'dataset', 'algorithm', 'algo', 'hyper', 'epochs', 'seed', 'workers', 'minWorkers', 'maxWorkers',
    'engine', 'evalInterval', 'checkpointInterval', 'roundDeadlineMs', 'exchangeDtype',
  ]);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new UsageError(`${where}: unknown field "${k}" (known: ${[...known].join(', ')})`);
  const spec: JobSpec = {};
  const wrap = <T>(field: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw new UsageError(`${where}: ${field}: ${e.message.replace(/^[^:]*: /, '')}`);
      if (e instanceof UsageError) throw new UsageError(`${where}: ${e.message}`);
      throw e;
    }
  };
  if (o.name !== undefined) spec.name = String(o.name);
  if (o.model !== undefined) spec.model = String(o.model);
  const ds = o.dataset;
  if (typeof ds === 'string') spec.dataset = { name: ds };
  else if (ds && typeof ds === 'object') spec.dataset = ds as JobSpec['dataset'];
  const algo = o.algorithm ?? o.algo;
  if (algo !== undefined) {
    spec.algorithm = String(algo).startsWith('ALGORITHM_') ? (String(algo) as JobSpec['algorithm']) : wrap('algorithm', () => algorithmFromName(String(algo), 'algorithm'));
  }
  if (o.engine !== undefined) {
    spec.engine = String(o.engine).startsWith('ENGINE_KIND_') ? (String(o.engine) as JobSpec['engine']) : wrap('engine', () => engineFromName(String(o.engine), 'engine'));
  }
  if (o.epochs !== undefined) spec.epochs = wrap('epochs', () => num(o.epochs as number, 'epochs'));
  if (o.seed !== undefined) spec.seed = wrap('seed', () => int(o.seed as number, 'seed'));
  if (o.workers !== undefined) {
    const w = wrap('workers', () => int(o.workers as number, 'workers', 1));
    spec.minWorkers = w;
    spec.maxWorkers = w;
  }
  if (o.minWorkers !== undefined) spec.minWorkers = wrap('minWorkers', () => int(o.minWorkers as number, 'minWorkers', 1));
  if (o.maxWorkers !== undefined) spec.maxWorkers = wrap('maxWorkers', () => int(o.maxWorkers as number, 'maxWorkers', 1));
  if (o.roundDeadlineMs !== undefined) spec.roundDeadlineMs = wrap('roundDeadlineMs', () => int(o.roundDeadlineMs as number, 'roundDeadlineMs', 1));
  if (o.exchangeDtype !== undefined) {
    const d = String(o.exchangeDtype);
    spec.exchangeDtype = d.startsWith('DTYPE_') ? (d as DType) : wrap('exchangeDtype', () => dtypeToWire(d, 'exchangeDtype'));
  }
  for (const k of ['evalInterval', 'checkpointInterval'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    spec[k] = typeof v === 'object' && v !== null ? (v as Interval) : wrap(k, () => intervalToWire(v as string, k));
  }
  if (o.hyper !== undefined) {
    if (!o.hyper || typeof o.hyper !== 'object') throw new UsageError(`${where}: hyper must be a mapping`);
    const h = o.hyper as Record<string, unknown>;
    const out: HyperParameters = {};
    for (const [k, v] of Object.entries(h)) {
      if (v === undefined || v === null) continue;
      if (k === 'lr' || k === 'innerLr') {
        out[k] = typeof v === 'object' ? (v as LrSchedule) : wrap(`hyper.${k}`, () => lrScheduleToWire(v as string | number, `hyper.${k}`));
      } else if (k === 'gamma' || k === 'rho') {
        out[k] = typeof v === 'object' ? (v as CouplingSchedule) : wrap(`hyper.${k}`, () => couplingToWire(v as string | number, `hyper.${k}`));
      } else if (k === 'L') {
        out.innerSteps = wrap('hyper.L', () => int(v as number, 'hyper.L', 1));
      } else if ((HYPER_NUMBERS as readonly string[]).includes(k)) {
        (out as Record<string, unknown>)[k] = wrap(`hyper.${k}`, () => num(v as number, `hyper.${k}`));
      } else if (k === 'nesterov' || k === 'resetInner') {
        out[k] = Boolean(v);
      } else if (k === 'outerBase') {
        out.outerBase = String(v).startsWith('OUTER_BASE_') ? (String(v) as HyperParameters['outerBase']) : (`OUTER_BASE_${String(v).toUpperCase()}` as HyperParameters['outerBase']);
      } else if (k === 'noiseScaling') {
        out.noiseScaling = String(v).startsWith('NOISE_SCALING_') ? (String(v) as HyperParameters['noiseScaling']) : (`NOISE_SCALING_${String(v).toUpperCase()}` as HyperParameters['noiseScaling']);
      } else if (k === 'centreLrScaling') {
        out.centreLrScaling = String(v).startsWith('CENTRE_LR_SCALING_')
          ? (String(v) as HyperParameters['centreLrScaling'])
          : (`CENTRE_LR_SCALING_${String(v).toUpperCase()}` as HyperParameters['centreLrScaling']);
      } else {
        throw new UsageError(`${where}: unknown field "hyper.${k}"`);
      }
    }
    spec.hyper = out;
  }
  return spec;
}

/** The spec of `submit`: the job file (if any) with the flags on top. */
export function buildJobSpec(flags: JobFlags): JobSpec {
  const base: Record<string, unknown> = flags.file ? readJobFile(flags.file) : {};
  const o: Record<string, unknown> = { ...base };
  const hyper: Record<string, unknown> = { ...((base.hyper as Record<string, unknown> | undefined) ?? {}) };
  const set = (k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  const setH = (k: string, v: unknown) => {
    if (v !== undefined) hyper[k] = v;
  };
  set('name', flags.name);
  set('model', flags.model);
  if (flags.dataset !== undefined || flags.dataPath !== undefined || flags.trainLimit !== undefined || flags.valLimit !== undefined) {
    const prev = base.dataset;
    const d: Record<string, unknown> = typeof prev === 'string' ? { name: prev } : { ...((prev as Record<string, unknown>) ?? {}) };
    if (flags.dataset !== undefined) {
      d.name = flags.dataset;
      delete d.path;
    }
    if (flags.dataPath !== undefined) {
      d.path = flags.dataPath;
      delete d.name;
    }
    if (flags.trainLimit !== undefined) d.trainLimit = int(flags.trainLimit, '--train-limit', 0);
    if (flags.valLimit !== undefined) d.valLimit = int(flags.valLimit, '--val-limit', 0);
    o.dataset = d;
  }
  set('algorithm', flags.algo);
  if (flags.algo !== undefined) delete o.algo;
  set('epochs', num(flags.epochs, '--epochs'));
  set('seed', int(flags.seed, '--seed'));
  if (flags.workers !== undefined) {
    const w = int(flags.workers, '--workers', 1);
    o.minWorkers = w;
    o.maxWorkers = w;
    delete o.workers;
  }
  set('minWorkers', int(flags.minWorkers, '--min-workers', 1));
  set('maxWorkers', int(flags.maxWorkers, '--max-workers', 1));
  set('engine', flags.engine);
  set('roundDeadlineMs', int(flags.roundDeadlineMs, '--round-deadline-ms', 1));
  set('exchangeDtype', flags.dtype);
  set('evalInterval', flags.evalEvery);
  set('checkpointInterval', flags.checkpointEvery);
  if (flags.lr !== undefined && flags.lrSchedule !== undefined) throw new UsageError('give either --lr or --lr-schedule, not both');
  setH('lr', flags.lr !== undefined ? lrScheduleToWire(num(flags.lr, '--lr')!, '--lr') : flags.lrSchedule !== undefined ? lrScheduleToWire(flags.lrSchedule, '--lr-schedule') : undefined);
  setH('innerLr', flags.innerLr !== undefined ? lrScheduleToWire(flags.innerLr, '--inner-lr') : undefined);
  setH('innerSteps', int(flags.L, '-L', 1));
  setH('gamma', flags.gamma !== undefined ? couplingToWire(flags.gamma, '--gamma') : undefined);
  setH('rho', flags.rho !== undefined ? couplingToWire(flags.rho, '--rho') : undefined);
  setH('noise', num(flags.noise, '--noise'));
  setH('momentum', num(flags.momentum, '--momentum'));
  setH('nesterov', flags.nesterov);
  setH('weightDecay', num(flags.weightDecay, '--weight-decay'));
  setH('batchSize', int(flags.batchSize, '--batch-size', 1));
  setH('tau', int(flags.tau, '--tau', 1));
  setH('alpha', num(flags.alpha, '--alpha'));
  setH('beta1', num(flags.beta1, '--beta1'));
  setH('innerMomentum', num(flags.innerMomentum, '--inner-momentum'));
  setH('resetInner', flags.resetInner);
  setH('outerBase', flags.outerBase);
  setH('noiseScaling', flags.noiseScaling);
  setH('centreLrScaling', flags.centreLrScaling);
  if (Object.keys(hyper).length > 0) o.hyper = hyper;
  const where = flags.file ? `job file ${flags.file}` : 'job';
  // The dataset defaults to MNIST (bundled with packages/data).
  if (o.dataset === undefined) o.dataset = { name: 'mnist' };
  else if (typeof o.dataset === 'object' && o.dataset !== null && !('name' in o.dataset) && !('path' in o.dataset)) {
    o.dataset = { name: 'mnist', ...(o.dataset as Record<string, unknown>) };
  }
  const spec = specFromObject(o, where);
  if (!spec.model) throw new UsageError(`${where}: a model is required (--model, or "model" in the job file)`);
  if (!spec.algorithm) throw new UsageError(`${where}: an algorithm is required (--algo, or "algorithm" in the job file)`);
  return spec;
}
