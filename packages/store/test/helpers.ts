/** Shared test plumbing for the Redis-backed tests. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RunStoreKeys } from '@deeprelax/store';

export const REDIS_URL = process.env.DEEPRELAX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A namespace no other test (or run) uses; the hash tag keeps it on one cluster slot. */
export function freshPrefix(): string {
  return `drtest:{${randomBytes(6).toString('hex')}}:`;
}

/** Keys currently under the prefix. */
export async function keysUnder(prefix: string, url = REDIS_URL): Promise<string[]> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', new RunStoreKeys(prefix).pattern(), 'COUNT', 1000);
      out.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return out.sort();
  } finally {
    r.disconnect();
  }
}

/** Removes every key under the prefix. */
export async function dropNamespace(prefix: string, url = REDIS_URL): Promise<void> {
  const keys = await keysUnder(prefix, url);
  if (keys.length === 0) return;
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    for (let i = 0; i < keys.length; i += 500) await r.unlink(...keys.slice(i, i + 500));
  } finally {
    r.disconnect();
  }
}
