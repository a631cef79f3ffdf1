/**
 * Redis hash and stream entries <-> store records. Hashes come back from the Buffer variants of
 * commands (the job spec is raw bytes); everything else in them is UTF-8 text.
 */
import { StoreInternalError } from '../errors.js';
import { isJobState } from '../states.js';
import type {
  CheckpointRecord,
  JobErrorInfo,
  JobEvent,
  JobProgress,
  JobRecord,
  JsonObject,
  JsonValue,
  MetricRecord,
  WorkerRecord,
} from '../types.js';
import { decodeNumberMap } from '../validate.js';

export type Flat = Array<Buffer | string | number>;

export function flatToMap(flat: Flat): Map<string, Buffer | string | number> {
  const m = new Map<string, Buffer | string | number>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), flat[i + 1] as Buffer | string | number);
  return m;
}

class Fields {
  constructor(private readonly m: Map<string, Buffer | string | number>, private readonly what: string) {}

  str(k: string): string {
    const v = this.m.get(k);
    if (v === undefined) throw new StoreInternalError(`${this.what}: field ${k} missing in Redis`);
    return typeof v === 'string' ? v : v.toString();
  }
  strOrNull(k: string): string | null {
    const v = this.str(k);
    return v === '' ? null : v;
  }
  num(k: string): number {
    const n = Number(this.str(k));
    if (!Number.isFinite(n)) throw new StoreInternalError(`${this.what}: field ${k} is not a number`);
    return n;
  }
  numOrNull(k: string): number | null {
    return this.str(k) === '' ? null : this.num(k);
  }
  json<T>(k: string): T | null {
    const s = this.str(k);
    return s === '' ? null : (JSON.parse(s) as T);
  }
  bytes(k: string): Uint8Array {
    const v = this.m.get(k);
    if (v === undefined) throw new StoreInternalError(`${this.what}: field ${k} missing in Redis`);
    return typeof v === 'string' || typeof v === 'number' ? new TextEncoder().encode(String(v)) : new Uint8Array(v);
  }
}

export function decodeJob(flat: Flat): JobRecord {
  const f = new Fields(flatToMap(flat), 'job');
  const state = f.str('state');
  if (!isJobState(state)) throw new StoreInternalError(`job: unknown state ${state} in Redis`);
  const metrics = f.str('latestMetrics');
  return {
    id: f.str('id'),
    state,
    spec: f.bytes('spec'),
    minWorkers: f.num('minWorkers'),
    maxWorkers: f.numOrNull('maxWorkers'),
    seq: f.num('seq'),
    fencingToken: f.num('fencingToken'),
    createdAt: f.num('createdAt'),
    updatedAt: f.num('updatedAt'),
    startedAt: f.numOrNull('startedAt'),
    endedAt: f.numOrNull('endedAt'),
    progress: f.json<JobProgress>('progress'),
    latestMetrics: metrics === '' ? null : decodeNumberMap(metrics),
    error: f.json<JobErrorInfo>('error'),
  };
}

export function decodeWorker(flat: Flat, now: number): WorkerRecord {
  const f = new Fields(flatToMap(flat), 'worker');
  const leaseExpiresAt = f.num('leaseExpiresAt');
  return {
    id: f.str('id'),
    name: f.str('name'),
    meta: f.json<JsonObject>('meta') ?? {},
    fencingToken: f.num('fencingToken'),
    ttlMs: f.num('ttlMs'),
    registeredAt: f.num('registeredAt'),
    lastHeartbeatAt: f.num('lastHeartbeatAt'),
    leaseExpiresAt,
    live: leaseExpiresAt > now,
    jobId: f.strOrNull('jobId'),
    assignedAt: f.numOrNull('assignedAt'),
  };
}

export function decodeCheckpoint(jobId: string, flat: Flat): CheckpointRecord | null {
  if (flat.length === 0) return null;
  const f = new Fields(flatToMap(flat), 'checkpoint');
  return {
    jobId,
    round: f.num('round'),
    location: f.str('location'),
    meta: f.json<JsonObject>('meta') ?? {},
    recordedAt: f.num('recordedAt'),
  };
}

export function decodeMetric(id: string, flat: Flat): MetricRecord {
  const f = new Fields(flatToMap(flat), 'metric');
  return {
    id,
    at: f.num('at'),
    round: f.num('round'),
    effectiveEpochs: f.num('epochs'),
    workerId: f.strOrNull('worker'),
    values: decodeNumberMap(f.str('values')),
  };
}

export function decodeEvent(id: string, flat: Flat): JobEvent {
  const f = new Fields(flatToMap(flat), 'event');
  return { id, at: f.num('at'), kind: f.str('kind'), data: JSON.parse(f.str('data')) as JsonValue };
}
