import { InMemoryRunStore } from '@deeprelax/store';
import { PERSISTENCE_CASE, runStoreConformance } from '@deeprelax/store/conformance';

runStoreConformance(
  'in-memory',
  async (opts) => {
    const store = new InMemoryRunStore(opts);
    return { store, reopen: null, dispose: () => store.close() };
  },
  {
    skip: {
      [PERSISTENCE_CASE]: 'the in-memory store lives and dies with its process by design (the embedded single-machine default)',
    },
  },
);
