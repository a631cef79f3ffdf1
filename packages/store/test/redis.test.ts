/**
 * The conformance suite against a real Redis (DEEPRELAX_TEST_REDIS_URL, default 127.0.0.1:6379),
 * each case on a fresh key prefix that is deleted afterwards.
 */
import { RedisRunStore } from '@deeprelax/store';
import { runStoreConformance } from '@deeprelax/store/conformance';
import { REDIS_URL, dropNamespace, freshPrefix } from './helpers.js';

runStoreConformance('redis', async (opts) => {
  const prefix = freshPrefix();
  const opened: RedisRunStore[] = [];
  const open = async (): Promise<RedisRunStore> => {
    const s = await RedisRunStore.open({ url: REDIS_URL, prefix, ...opts });
    opened.push(s);
    return s;
  };
  const store = await open();
  return {
    store,
    reopen: open,
    dispose: async () => {
      for (const s of opened) await s.close();
      await dropNamespace(prefix);
    },
  };
});
