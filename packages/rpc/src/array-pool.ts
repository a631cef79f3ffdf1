// Free float32 arrays by length, reused from exchange to exchange. On these VMs a fresh 7.5 MB
// array costs 10-20 ms of page faults and zeroing (and later a GC to free it) against ~0.3 ms to
// overwrite a recycled one, so the exchange path recycles what it can.

/** Where float32 vectors are taken from and given back to (ArrayPool, core's Float32Arena). */
export interface VectorPool {
  take(length: number): Float32Array;
  give(a: Float32Array): void;
}

export class ArrayPool implements VectorPool {
  private readonly free = new Map<number, Float32Array[]>();
  constructor(private readonly keepPerLength = 4) {}

  /** A recycled array of `length` (contents unspecified), or a new zeroed one. */
  take(length: number): Float32Array {
    return this.free.get(length)?.pop() ?? new Float32Array(length);
  }

  /** Returns an array no one reads or writes any more. */
  give(a: Float32Array): void {
    let list = this.free.get(a.length);
    if (!list) this.free.set(a.length, (list = []));
    if (list.length < this.keepPerLength && !list.includes(a)) list.push(a);
  }

  /** Arrays held for reuse (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const l of this.free.values()) n += l.length;
    return n;
  }
}
