#include "signal_guard.h"

#include <ATen/Parallel.h>
#include <pthread.h>

#include <thread>

namespace deeprelax {
namespace {

sigset_t asyncSignals() {
  sigset_t s;
  sigfillset(&s);
  for (int sync : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&s, sync);
  return s;
}

}  // namespace

AsyncSignalsBlocked::AsyncSignalsBlocked() {
  const sigset_t block = asyncSignals();
  restore_ = pthread_sigmask(SIG_BLOCK, &block, &old_) == 0;
}

AsyncSignalsBlocked::~AsyncSignalsBlocked() {
  if (restore_) pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

void blockAsyncSignalsInIntraOpWorkers() {
  const int n = at::get_num_threads();
  if (n <= 1) return;
  const std::thread::id caller = std::this_thread::get_id();
  // With grain 1 over n items, ATen's OpenMP backend gives every thread of the team one item.
  at::parallel_for(0, n, 1, [caller](int64_t, int64_t) {
    if (std::this_thread::get_id() == caller) return;
    const sigset_t block = asyncSignals();
    pthread_sigmask(SIG_BLOCK, &block, nullptr);
  });
}

}  // namespace deeprelax
