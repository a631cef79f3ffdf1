#include "cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <torch/version.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace deeprelax {
namespace {

// Every block carries its size class and a canary in a header in front of the data. 64 bytes keep
// the data at the 64-byte alignment alloc_cpu gives.
constexpr size_t kHeader = 64;
constexpr uint64_t kCanary = 0x6465657072656c78ULL;  // "deeprelx"
// Larger requests would overflow the size-class arithmetic; the default allocator refuses them too.
constexpr size_t kMaxRequest = static_cast<size_t>(PTRDIFF_MAX) - (size_t{1} << 20);
// Blocks below this go straight back to malloc, which handles small sizes well without mmap.
constexpr size_t kMinCached = size_t{64} << 10;
// Size classes of 4 KiB: a request and its reuse may differ by a few bytes (e.g. alignment).
constexpr size_t kGranule = size_t{4} << 10;

size_t sizeClass(size_t n) { return n < kMinCached ? n : (n + kGranule - 1) / kGranule * kGranule; }

struct Cache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free;  // size class -> bases
  CpuCacheStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: blocks may be freed during process exit
  return *c;
}

void deleteBlock(void* data) {
  if (data == nullptr) return;
  void* base = static_cast<char*>(data) - kHeader;
  size_t cls;
  uint64_t canary;
  std::memcpy(&cls, base, sizeof cls);
  std::memcpy(&canary, static_cast<char*>(base) + sizeof cls, sizeof canary);
  if (canary != kCanary) {
    // Not one of ours (a raw_allocate from before the switch, freed through the current
    // allocator's raw_deleter): it came from alloc_cpu itself.
    c10::free_cpu(data);
    return;
  }
  if (cls >= kMinCached) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.stats.cachedBytes + cls <= c.stats.limitBytes) {
      // Deleters run inside destructors: a failed push_back (no memory for the list) must not
      // throw from here, so the block is then simply freed.
      try {
        c.free[cls].push_back(base);
        c.stats.cachedBytes += cls;
        return;
      } catch (...) {
      }
    }
  }
  c10::free_cpu(base);
}

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define DEEPRELAX_ALLOCATE_CONST
#else
#define DEEPRELAX_ALLOCATE_CONST const
#endif

struct CachingCpuAllocator final : public c10::Allocator {
  c10::DataPtr allocate(size_t n) DEEPRELAX_ALLOCATE_CONST override {
    if (n > kMaxRequest) {
      TORCH_CHECK(false, "CPU allocation of ", n, " bytes exceeds the maximum");
    }
    const size_t cls = sizeClass(n);
    void* base = nullptr;
    if (cls >= kMinCached) {
      Cache& c = cache();
      std::lock_guard<std::mutex> lock(c.mu);
      auto it = c.free.find(cls);
      if (it != c.free.end() && !it->second.empty()) {
        base = it->second.back();
        it->second.pop_back();
        c.stats.cachedBytes -= cls;
        c.stats.hits++;
      } else {
        c.stats.misses++;
      }
    }
    // alloc_cpu throws c10::Error when memory runs out; the addon's guards turn it into a JS error.
    if (base == nullptr) base = c10::alloc_cpu(cls + kHeader);
    std::memcpy(base, &cls, sizeof cls);
    std::memcpy(static_cast<char*>(base) + sizeof cls, &kCanary, sizeof kCanary);
    void* data = static_cast<char*>(base) + kHeader;
    return {data, data, &deleteBlock, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &deleteBlock; }

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
  void copy_data(void* dest, const void* src, std::size_t count) const override { std::memcpy(dest, src, count); }
#endif
};

}  // namespace

void ensureCpuCache(uint64_t defaultLimitBytes) {
  // Once per process, although the addon's Init runs once per Node environment (worker threads).
  static std::once_flag once;
  std::call_once(once, [defaultLimitBytes] {
    {
      Cache& c = cache();
      std::lock_guard<std::mutex> lock(c.mu);
      c.stats.limitBytes = defaultLimitBytes;
    }
    // Priority 1 outranks the default CPU allocator (registered at 0). Tensors allocated before
    // free through their DataPtr's own deleter.
    c10::SetCPUAllocator(new CachingCpuAllocator(), 1);
  });
}

void installCpuCache(uint64_t limitBytes) {
  ensureCpuCache(limitBytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    c.stats.limitBytes = limitBytes;
  }
  if (cpuCacheStats().cachedBytes > limitBytes) emptyCpuCache();
}

uint64_t emptyCpuCache() {
  std::vector<void*> bases;
  uint64_t bytes = 0;
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    for (auto& [cls, list] : c.free) bases.insert(bases.end(), list.begin(), list.end());
    bytes = c.stats.cachedBytes;
    c.free.clear();
    c.stats.cachedBytes = 0;
  }
  for (void* b : bases) c10::free_cpu(b);
  return bytes;
}

CpuCacheStats cpuCacheStats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.stats;
}

}  // namespace deeprelax
