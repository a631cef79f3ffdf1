// Keeps asynchronous signals away from threads while they run oneDNN's JIT sgemm kernels.
//
// Why: those kernels (oneDNN up to at least 3.11; Debian's libdnnl2 is 2.6.3) point rsp at a heap
// workspace while they run, so a signal handled on that thread meanwhile pushes its frame into the
// heap and corrupts it ("corrupted size vs. prev_size", an abort later in some free; oneDNN issue
// 4845, fixed upstream by PR 4855 in 2026). Node delivers signals to its main thread whenever it is
// asked to: SIGPROF for every sample of --cpu-prof / --prof, and SIGINT, SIGTERM, SIGCHLD to the
// handlers libuv installs. Blocking them around a call only defers them until the kernel returns.
// Synchronous signals (a fault in the call itself) stay unblocked: blocked, they would only turn
// into a kill without the handler. Guarded: every sgemm call and every convolution (oneDNN may
// implement one with the same gemm, depending on the CPU), on the calling thread; the OpenMP
// workers that run the rest of a multi-threaded call block them for good.
#pragma once

#include <csignal>

namespace deeprelax {

/** RAII: the asynchronous signals are blocked on this thread for the object's lifetime. */
class AsyncSignalsBlocked {
 public:
  AsyncSignalsBlocked();
  ~AsyncSignalsBlocked();
  AsyncSignalsBlocked(const AsyncSignalsBlocked&) = delete;
  AsyncSignalsBlocked& operator=(const AsyncSignalsBlocked&) = delete;

 private:
  sigset_t old_;
  bool restore_ = false;
};

/** GCC's OpenMP entry point (libgomp's GOMP_parallel). */
using GompParallelFn = void (*)(void (*)(void*), void*, unsigned, unsigned);

/**
 * Blocks the asynchronous signals for good in the OpenMP worker threads that run the parts of a
 * multi-threaded sgemm: runs a parallel region of `threads` threads through `parallel` (the
 * GOMP_parallel that oneDNN itself calls, so the same thread pool) in which every thread but the
 * caller blocks them. Those threads never need a signal: a process-directed one goes to a thread
 * that does not block it (the main thread or one of libuv's). The caller's mask is left as it
 * was. Returns how many worker threads it reached (threads - 1 unless OpenMP gave fewer).
 */
int blockAsyncSignalsInOpenMpWorkers(GompParallelFn parallel, int threads);

}  // namespace deeprelax
