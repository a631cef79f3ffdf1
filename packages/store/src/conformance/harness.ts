import assert from 'node:assert/strict';
import type { StoreError } from '../errors.js';
import type { Clock, RunStore } from '../types.js';

export interface FixtureOptions {
  clock?: Clock;
  metricsMaxLen?: number;
  eventsMaxLen?: number;
}

/** One store under test, on its own empty namespace. */
export interface ConformanceFixture {
  store: RunStore;
  /**
   * Opens a second, independent store on the same data (what a restarted coordinator sees), or
   * null where the implementation is process-local. The fixture closes what this opens.
   */
  reopen: (() => Promise<RunStore>) | null;
  /** Closes everything the fixture opened and removes its data. */
  dispose(): Promise<void>;
}

export type MakeFixture = (opts: FixtureOptions) => Promise<ConformanceFixture>;

export interface CaseContext {
  /** A fresh fixture, disposed automatically when the case ends. */
  fixture(opts?: FixtureOptions): Promise<ConformanceFixture>;
}

export interface ConformanceCase {
  name: string;
  run(ctx: CaseContext): Promise<void>;
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now: Clock = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** Awaits a rejection of exactly class `cls` (a StoreError subclass) and returns the error. */
export async function rejectsWith<E extends StoreError>(p: Promise<unknown>, cls: ErrorClass<E>, what = ''): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `${what}: expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return e;
  }
  assert.fail(`${what}: expected ${cls.name}, but it resolved`);
}

export async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Drains an async iterable (e.g. a watch that ends on close). */
export async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
