// The Engine conformance suite: one set of node:test tests that every Engine implementation runs
// from its own test file:
//
//   import { runEngineConformance } from '@deeprelax/core/conformance';
//   runEngineConformance('tfjs (wasm)', () => createTfjsEngine({ backend: 'wasm' }), {
//     skip: { 'determinism.same-seed': 'CUDA conv backward is non-deterministic' },
//   });
//
// Each case has a stable id (CONFORMANCE_CASES lists them). A skip list maps ids (or 'prefix.*') to
// the reason, which node:test prints; an id that matches no case is an error, so stale skips show.
// The oracle is a float64 re-implementation of the torch semantics (reference.ts) plus JavaScript
// arithmetic on read-back; nothing here depends on any engine.
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../engine.js';
import { layerCases } from './layers.js';
import { modelCases } from './model.js';
import { DEFAULT_TOLERANCES, type ConformanceCase, type ConformanceTolerances } from './types.js';
import { vectorCases } from './vectors.js';

export { DEFAULT_TOLERANCES, type CaseContext, type ConformanceCase, type ConformanceTolerances } from './types.js';
export { referenceForward, referenceGradient, type ReferenceOptions, type ReferenceResult } from './reference.js';
export { NETS, MIXED_NET, VEC_NET, HAND_NET, dropoutProbeNet, type TestNet } from './nets.js';

/** Every case, in registration order. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [...modelCases, ...vectorCases, ...layerCases];

/** Every case id, e.g. for documentation or for building a skip list. */
export const CONFORMANCE_TEST_IDS: readonly string[] = CONFORMANCE_CASES.map((c) => c.id);

export interface ConformanceOptions {
  /** Test id (or 'prefix.*') -> reason it does not apply to this engine. */
  skip?: Record<string, string>;
  /** Overrides of DEFAULT_TOLERANCES. */
  tolerance?: Partial<ConformanceTolerances>;
  /** Per-test timeout in milliseconds (default 60,000). */
  timeoutMs?: number;
  /** Called with the engine once it is made (e.g. to log engine.description). */
  onEngine?: (engine: Engine) => void;
  /** Disposes engine-level resources after the suite, if the engine has any. */
  teardown?: (engine: Engine) => void | Promise<void>;
}

function skipReason(id: string, skip: Record<string, string>): string | undefined {
  if (id in skip) return skip[id];
  for (const [key, reason] of Object.entries(skip)) {
    if (key.endsWith('*') && id.startsWith(key.slice(0, -1))) return reason;
  }
  return undefined;
}

/**
 * Registers the conformance tests for one engine under a describe() block named after it.
 * `makeEngine` is called once, before the first test.
 */
export function runEngineConformance(
  name: string,
  makeEngine: () => Engine | Promise<Engine>,
  options: ConformanceOptions = {},
): void {
  const skip = options.skip ?? {};
  for (const key of Object.keys(skip)) {
    const matches = key.endsWith('*')
      ? CONFORMANCE_TEST_IDS.some((id) => id.startsWith(key.slice(0, -1)))
      : CONFORMANCE_TEST_IDS.includes(key);
    if (!matches) {
      throw new Error(`runEngineConformance(${name}): skip entry '${key}' matches no test; ids are: ${CONFORMANCE_TEST_IDS.join(', ')}`);
    }
    if (typeof skip[key] !== 'string' || skip[key].trim() === '') {
      throw new Error(`runEngineConformance(${name}): skip entry '${key}' needs a reason`);
    }
  }
  const tol: ConformanceTolerances = { ...DEFAULT_TOLERANCES, ...options.tolerance };
  const timeout = options.timeoutMs ?? 60_000;

  describe(`Engine conformance: ${name}`, () => {
    let engine: Engine | null = null;
    before(async () => {
      engine = await makeEngine();
      options.onEngine?.(engine);
    });
    after(async () => {
      if (engine && options.teardown) await options.teardown(engine);
    });
    for (const c of CONFORMANCE_CASES) {
      const reason = skipReason(c.id, skip);
      it(`${c.id}: ${c.title}`, { skip: reason ?? false, timeout }, async () => {
        if (!engine) throw new Error('engine was not created');
        await c.run({ engine, tol });
      });
    }
  });
}
