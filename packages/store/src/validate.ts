/**
 * Argument checks and value codecs shared by both implementations, so that they accept and reject
 * exactly the same inputs.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, NotFoundError, type EntityKind } from './errors.js';
import { isJobState, type JobState } from './states.js';
import type {
  JobErrorInput,
  JsonObject,
  JsonValue,
  MetricInput,
  NewCheckpoint,
  NewJob,
  NewWorker,
  ProgressUpdate,
  StreamQuery,
} from './types.js';

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const STREAM_ID_RE = /^\d{1,20}-\d{1,20}$/;
export const DEFAULT_READ_LIMIT = 1000;
export const MAX_READ_LIMIT = 10_000;
export const MAX_TTL_MS = 24 * 3600 * 1000;
export const MAX_SPEC_BYTES = 1 << 20;

export function newJobId(): string {
  return `job-${randomBytes(6).toString('hex')}`;
}

export function newWorkerId(): string {
  return `wkr-${randomBytes(6).toString('hex')}`;
}

/** Ids are used inside Redis keys, so only a safe alphabet can ever exist. A malformed id is unknown. */
export function knownId(entity: EntityKind, id: unknown): string {
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new NotFoundError(entity, String(id));
  return id;
}

function fail(message: string): never {
  throw new InvalidArgumentError(message);
}

function isInt(n: unknown, min: number, max = Number.MAX_SAFE_INTEGER): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

export function checkState(s: unknown, what: string): JobState {
  if (!isJobState(s)) fail(`${what}: not a job state: ${String(s)}`);
  return s;
}

export function checkFencing(token: unknown): number | null {
  if (token === undefined || token === null) return null;
  if (!isInt(token, 0)) fail(`fencing token must be a non-negative integer, got ${String(token)}`);
  return token;
}

export function checkRequiredFencing(token: unknown): number {
  if (!isInt(token, 0)) fail(`fencing token must be a non-negative integer, got ${String(token)}`);
  return token;
}

export interface NormalJob {
  spec: Uint8Array;
  minWorkers: number;
  maxWorkers: number | null;
}

export function checkNewJob(input: NewJob): NormalJob {
  if (input === null || typeof input !== 'object') fail('job input must be an object');
  let spec: Uint8Array;
  if (typeof input.spec === 'string') spec = new TextEncoder().encode(input.spec);
  else if (input.spec instanceof Uint8Array) spec = new Uint8Array(input.spec);
  else fail('job spec must be a string or Uint8Array');
  if (spec.byteLength > MAX_SPEC_BYTES) fail(`job spec is ${spec.byteLength} bytes; at most ${MAX_SPEC_BYTES}`);
  const minWorkers = input.minWorkers ?? 1;
  if (!isInt(minWorkers, 1, 1_000_000)) fail(`minWorkers must be an integer >= 1, got ${String(minWorkers)}`);
  const maxWorkers = input.maxWorkers ?? null;
  if (maxWorkers !== null && !isInt(maxWorkers, minWorkers, 1_000_000)) {
    fail(`maxWorkers must be null or an integer >= minWorkers (${minWorkers}), got ${String(maxWorkers)}`);
  }
  return { spec, minWorkers, maxWorkers };
}

export function checkProgress(p: ProgressUpdate): { round: number; effectiveEpochs: number; metrics: Record<string, number> | null } {
  if (p === null || typeof p !== 'object') fail('progress must be an object');
  if (!isInt(p.round, 0)) fail(`progress.round must be a non-negative integer, got ${String(p.round)}`);
  if (typeof p.effectiveEpochs !== 'number' || !Number.isFinite(p.effectiveEpochs) || p.effectiveEpochs < 0) {
    fail(`progress.effectiveEpochs must be a finite number >= 0, got ${String(p.effectiveEpochs)}`);
  }
  return { round: p.round, effectiveEpochs: p.effectiveEpochs, metrics: p.metrics === undefined ? null : checkNumberMap(p.metrics, 'metrics') };
}

export function checkNumberMap(m: unknown, what: string): Record<string, number> {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) fail(`${what} must be an object of numbers`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'number') fail(`${what}.${k} must be a number, got ${typeof v}`);
    out[k] = v;
  }
  return out;
}

export function checkJobError(e: JobErrorInput): JobErrorInput {
  if (e === null || typeof e !== 'object') fail('error must be an object');
  if (typeof e.code !== 'string' || e.code.length === 0) fail('error.code must be a non-empty string');
  if (typeof e.message !== 'string') fail('error.message must be a string');
  return { code: e.code, message: e.message };
}

export function checkNewWorker(w: NewWorker): { name: string; ttlMs: number; workerId: string | null; meta: JsonObject } {
  if (w === null || typeof w !== 'object') fail('worker input must be an object');
  if (typeof w.name !== 'string' || w.name.length === 0 || w.name.length > 256) fail('worker name must be a string of 1..256 characters');
  if (!isInt(w.ttlMs, 1, MAX_TTL_MS)) fail(`ttlMs must be an integer in 1..${MAX_TTL_MS}, got ${String(w.ttlMs)}`);
  let workerId: string | null = null;
  if (w.workerId !== undefined) {
    if (typeof w.workerId !== 'string' || !ID_RE.test(w.workerId)) fail(`workerId must match ${ID_RE}, got ${String(w.workerId)}`);
    workerId = w.workerId;
  }
  return { name: w.name, ttlMs: w.ttlMs, workerId, meta: checkJsonObject(w.meta ?? {}, 'meta') };
}

export function checkCheckpoint(c: NewCheckpoint): { round: number; location: string; meta: JsonObject } {
  if (c === null || typeof c !== 'object') fail('checkpoint must be an object');
  if (!isInt(c.round, 0)) fail(`checkpoint round must be a non-negative integer, got ${String(c.round)}`);
  if (typeof c.location !== 'string' || c.location.length === 0) fail('checkpoint location must be a non-empty string');
  return { round: c.round, location: c.location, meta: checkJsonObject(c.meta ?? {}, 'meta') };
}

export function checkMetric(m: MetricInput): { round: number; effectiveEpochs: number; workerId: string | null; values: Record<string, number> } {
  if (m === null || typeof m !== 'object') fail('metric must be an object');
  if (!isInt(m.round, 0)) fail(`metric round must be a non-negative integer, got ${String(m.round)}`);
  if (typeof m.effectiveEpochs !== 'number' || !Number.isFinite(m.effectiveEpochs)) fail('metric effectiveEpochs must be a finite number');
  const workerId = m.workerId ?? null;
  if (workerId !== null && (typeof workerId !== 'string' || !ID_RE.test(workerId))) fail(`metric workerId malformed: ${String(workerId)}`);
  return { round: m.round, effectiveEpochs: m.effectiveEpochs, workerId, values: checkNumberMap(m.values, 'values') };
}

export function checkEventKind(kind: unknown): string {
  if (typeof kind !== 'string' || kind.length === 0 || kind.length > 200) fail('event kind must be a string of 1..200 characters');
  return kind;
}

/** JSON round trip: what both stores hand back is exactly what JSON can carry. */
export function jsonCopy<T extends JsonValue>(v: T | undefined): JsonValue {
  if (v === undefined) return null;
  const s = JSON.stringify(v);
  if (s === undefined) fail('value is not JSON-serialisable');
  return JSON.parse(s) as JsonValue;
}

export function checkJsonObject(v: unknown, what: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} must be a JSON object`);
  return jsonCopy(v as JsonObject) as JsonObject;
}

// ---------------------------------------------------------------- stream ids and queries

export function checkStreamId(id: unknown, what: string): string {
  if (typeof id !== 'string' || !STREAM_ID_RE.test(id)) fail(`${what} must be a stream id "ms-seq", got ${String(id)}`);
  return id;
}

export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

export function checkStreamQuery(q: StreamQuery | undefined): { after: string | null; end: string | null; limit: number } {
  const after = q?.after ?? null;
  const end = q?.end ?? null;
  const limit = q?.limit ?? DEFAULT_READ_LIMIT;
  if (after !== null) checkStreamId(after, 'after');
  if (end !== null) checkStreamId(end, 'end');
  if (!isInt(limit, 1, MAX_READ_LIMIT)) fail(`limit must be an integer in 1..${MAX_READ_LIMIT}, got ${String(limit)}`);
  return { after, end, limit };
}

export function checkListLimit(limit: unknown): number | null {
  if (limit === undefined || limit === null) return null;
  if (!isInt(limit, 1)) fail(`limit must be a positive integer, got ${String(limit)}`);
  return limit;
}

// ---------------------------------------------------------------- number maps (NaN-safe JSON)

/** JSON has no NaN/Infinity; a diverged loss is still worth recording, so those become strings. */
export function encodeNumberMap(m: Record<string, number>): string {
  const o: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(m)) o[k] = Number.isFinite(v) ? v : String(v);
  return JSON.stringify(o);
}

export function decodeNumberMap(s: string): Record<string, number> {
  const o = JSON.parse(s) as Record<string, number | string>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'number' ? v : Number(v);
  return out;
}
