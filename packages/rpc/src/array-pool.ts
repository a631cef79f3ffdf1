// Where the exchange path takes its large float32 vectors from and gives them back to. On these
// VMs a fresh 7.5 MB array costs 10-20 ms of page faults and zeroing (and later a GC to free it)
// against ~0.3 ms to overwrite a recycled one. The implementation is core's Float32Arena (recycled
// arrays, in WebAssembly memory where its kernels run).

/** Where float32 vectors are taken from and given back to. */
export interface VectorPool {
  /** A vector of `length` values (contents unspecified). */
  take(length: number): Float32Array;
  /** Returns a vector no one reads or writes any more. */
  give(a: Float32Array): void;
}
