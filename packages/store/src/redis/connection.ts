/**
 * Connecting to Redis and translating its failures: connection trouble becomes
 * StoreUnavailableError, a `DRSTORE {json}` script reply becomes a ScriptSignal and then, where it
 * is one of the common outcomes, the matching typed error of errors.ts.
 */
import { Redis, type RedisOptions } from 'ioredis';
import {
  LeaseExpiredError,
  NotFoundError,
  PreconditionFailedError,
  StaleFencingError,
  StoreError,
  StoreInternalError,
  StoreUnavailableError,
  type EntityKind,
  type PreconditionReason,
} from '../errors.js';

/** Opens a connection (failing fast, as StoreUnavailableError) and checks the server version. */
export async function connectRedis(url: string, options: RedisOptions): Promise<Redis> {
  const redis = new Redis(url, { ...options, lazyConnect: true });
  let lastError: Error | null = null;
  // ioredis emits 'error' on every failed (re)connect; the store reports failures per call.
  redis.on('error', (e: Error) => {
    lastError = e;
  });
  const where = `${redis.options.host ?? '?'}:${redis.options.port ?? '?'}`;
  try {
    await redis.connect();
  } catch (e) {
    redis.disconnect();
    const why = (lastError ?? (e as Error)).message;
    throw new StoreUnavailableError(`cannot connect to Redis at ${where}: ${why}`, { cause: lastError ?? e });
  }
  const version = await serverVersion(redis);
  if (version !== null && (version[0]! < 6 || (version[0] === 6 && version[1]! < 2))) {
    redis.disconnect();
    throw new StoreUnavailableError(`Redis at ${where} is ${version.join('.')}; the store needs 6.2 or later (exclusive XRANGE bounds)`);
  }
  return redis;
}

/** [major, minor, patch] from INFO, or null where INFO is not allowed (some managed services). */
async function serverVersion(redis: Redis): Promise<number[] | null> {
  try {
    const m = /redis_version:(\d+)\.(\d+)\.(\d+)/.exec(await redis.info('server'));
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  } catch {
    return null;
  }
}

export interface ScriptFailure {
  code: string;
  [k: string]: unknown;
}

/** A script's failure reply, before interpretation; never escapes the store. */
export class ScriptSignal extends Error {
  constructor(readonly failure: ScriptFailure) {
    super(failure.code);
  }
}

/** Any error out of ioredis -> StoreError or ScriptSignal. */
export function mapRedisError(e: unknown): Error {
  if (e instanceof StoreError || e instanceof ScriptSignal) return e;
  const err = e as Error;
  if (err?.name === 'ReplyError') {
    const m = /^DRSTORE (.*)$/s.exec(err.message);
    if (m) return new ScriptSignal(JSON.parse(m[1]!) as ScriptFailure);
    return new StoreInternalError(`Redis rejected a command: ${err.message}`, { cause: e });
  }
  return new StoreUnavailableError(`Redis unavailable: ${err?.message ?? String(e)}`, { cause: e });
}

/** The common script failures as typed errors; other codes stay ScriptSignals for the caller. */
export function scriptFailureToError(e: Error, ids: { job?: string; worker?: string }): Error {
  if (!(e instanceof ScriptSignal)) return e;
  const f = e.failure;
  const s = (k: string): string => String(f[k] ?? '');
  switch (f.code) {
    case 'NOT_FOUND': {
      const entity = s('entity') as EntityKind;
      return new NotFoundError(entity, (entity === 'job' ? ids.job : ids.worker) ?? '');
    }
    case 'STALE_FENCING':
      return new StaleFencingError(s('entity') as EntityKind, s('id'), Number(s('presented')), Number(s('current')));
    case 'LEASE_EXPIRED':
      return new LeaseExpiredError(s('id'), Number(s('expiredAt')));
    case 'PRECONDITION': {
      const reason = s('reason') as PreconditionReason;
      const msg: Record<PreconditionReason, string> = {
        'worker-busy': `worker ${ids.worker} is assigned to job ${s('jobId')}`,
        'job-not-active': `job ${ids.job} is ${s('state')}; it takes no workers`,
        'job-full': `job ${ids.job} already has ${s('live')} of at most ${s('max')} workers`,
        'stale-checkpoint': `job ${ids.job}: checkpoint round ${s('round')} is older than recorded round ${s('latest')}`,
      };
      return new PreconditionFailedError(reason, msg[reason] ?? `precondition ${reason} failed`);
    }
    default:
      return e;
  }
}
