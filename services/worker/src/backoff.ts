// Exponential backoff with jitter, and an abortable sleep.
import type { BackoffConfig } from './config.js';

export class Backoff {
  private attempt = 0;
  constructor(
    private readonly config: BackoffConfig,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next wait (ms): initial · factor^attempt, capped, with ±jitter. */
  next(): number {
    const c = this.config;
    const base = Math.min(c.maxMs, c.initialMs * Math.pow(c.factor, this.attempt));
    this.attempt++;
    const spread = base * c.jitter * (2 * this.random() - 1);
    return Math.max(0, Math.round(base + spread));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
