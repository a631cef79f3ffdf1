#include "signal_guard.h"

#include <pthread.h>

#include <atomic>
#include <initializer_list>

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

int blockAsyncSignalsInOpenMpWorkers(GompParallelFn parallel, int threads) {
  if (parallel == nullptr || threads <= 1) return 0;
  struct Team {
    pthread_t caller;
    std::atomic<int> reached{0};
  } team{pthread_self(), {}};
  parallel(
      [](void* data) {
        auto* t = static_cast<Team*>(data);
        if (pthread_equal(pthread_self(), t->caller)) return;
        const sigset_t block = asyncSignals();
        if (pthread_sigmask(SIG_BLOCK, &block, nullptr) == 0) t->reached.fetch_add(1);
      },
      &team, static_cast<unsigned>(threads), 0);
  return team.reached.load();
}

}  // namespace deeprelax
