// A caching CPU allocator for ATen, installed process-wide when the addon loads.
//
// Why: glibc serves blocks above its mmap threshold (at most 32 MiB, often much less) with a fresh
// mmap and returns them with munmap, so every large activation, im2col or gradient buffer is
// page-faulted in again on every batch. On these VMs that cost dominates big batches: LeNet's
// forward at batch 1024 (the BN refresh) ran at half the per-sample speed of batch 128. The
// shapes of one model repeat batch after batch, so keeping freed large blocks by size and handing
// them out again removes nearly all of it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace deeprelax {

struct CpuCacheStats {
  /** Large blocks served from the cache / newly allocated. */
  uint64_t hits = 0;
  uint64_t misses = 0;
  /** Bytes held in the cache, free for reuse. */
  uint64_t cachedBytes = 0;
  /** The most cachedBytes may reach; 0 = caching off (every block freed at once). */
  uint64_t limitBytes = 0;
};

/** Installs the allocator as ATen's CPU allocator with this limit, unless it already is. */
void ensureCpuCache(uint64_t defaultLimitBytes);

/**
 * Installs the allocator (if not yet) and sets the limit: the free bytes kept for reuse (0: none;
 * a lower limit empties the cache).
 */
void installCpuCache(uint64_t limitBytes);

/** Frees every cached block and returns how many bytes that released. */
uint64_t emptyCpuCache();

CpuCacheStats cpuCacheStats();

}  // namespace deeprelax
