/**
 * @deeprelax/store: run metadata behind one interface (RunStore), with a Redis implementation and
 * an in-memory twin. The conformance suite both pass is at "@deeprelax/store/conformance".
 */
export * from './types.js';
export * from './errors.js';
export {
  JOB_STATES,
  JOB_TRANSITIONS,
  ACTIVE_JOB_STATES,
  isJobState,
  isLegalTransition,
  isTerminalState,
  sourcesOf,
  type JobState,
} from './states.js';
export { compareStreamIds } from './validate.js';
export { InMemoryRunStore, type InMemoryRunStoreOptions } from './memory/memory-store.js';
export { RedisRunStore, type RedisRunStoreOptions } from './redis/redis-store.js';
export { RunStoreKeys } from './redis/keys.js';
