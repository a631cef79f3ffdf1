/**
 * The RunStore conformance suite: one set of cases, run against every implementation.
 *
 *   runStoreConformance('memory', async (opts) => ({ store: new InMemoryRunStore(opts), reopen: null, dispose }), {
 *     skip: { [PERSISTENCE_CASE]: 'process-local by design' },
 *   });
 *
 * Skips are explicit and annotated: a case named in `skip` is reported as skipped with its reason;
 * a name that matches no case is an error, so the list cannot silently go stale.
 */
import { describe, it } from 'node:test';
import type { ConformanceCase, ConformanceFixture, FixtureOptions, MakeFixture } from './harness.js';
import { jobCases } from './jobs.js';
import { miscCases } from './misc.js';
import { streamCases } from './streams.js';
import { workerCases } from './workers.js';

export type { ConformanceCase, ConformanceFixture, FixtureOptions, MakeFixture } from './harness.js';
export { ManualClock } from './harness.js';
export { PERSISTENCE_CASE } from './misc.js';

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [...jobCases, ...workerCases, ...streamCases, ...miscCases];

export interface ConformanceOptions {
  /** Case name -> why it does not apply to this implementation. */
  skip?: Readonly<Record<string, string>>;
  /** Per-case timeout (default 15 000 ms). */
  timeoutMs?: number;
}

export function runStoreConformance(name: string, make: MakeFixture, options: ConformanceOptions = {}): void {
  const skip = options.skip ?? {};
  const known = new Set(CONFORMANCE_CASES.map((c) => c.name));
  for (const s of Object.keys(skip)) {
    if (!known.has(s)) throw new Error(`runStoreConformance(${name}): skip list names no case: ${JSON.stringify(s)}`);
  }
  describe(`RunStore conformance: ${name}`, () => {
    for (const c of CONFORMANCE_CASES) {
      const reason = skip[c.name];
      it(c.name, { skip: reason ?? false, timeout: options.timeoutMs ?? 15_000 }, async () => {
        const opened: ConformanceFixture[] = [];
        try {
          await c.run({
            fixture: async (opts: FixtureOptions = {}) => {
              const fx = await make(opts);
              opened.push(fx);
              return fx;
            },
          });
        } finally {
          for (const fx of opened.reverse()) await fx.dispose();
        }
      });
    }
  });
}

