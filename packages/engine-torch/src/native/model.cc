// See model.h. Conventions: tensors are NCHW float32 on device_; every parameter/gradient/buffer
// view is a narrow() of its flat tensor, so writing a view writes the flat vector.
#include "model.h"
#include "signal_guard.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <mutex>
#include <sstream>

// Hot CPU loops are compiled for AVX-512, AVX2 and baseline x86-64, picked at load time by the
// CPU's features (an ifunc), so one build runs everywhere and vectorises where it can.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#define DR_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#elif defined(__x86_64__) && defined(__GNUC__)
#define DR_MULTIVERSION __attribute__((target_clones("avx512dq", "avx2", "default")))
#else
#define DR_MULTIVERSION
#endif

namespace deeprelax {

namespace {

template <typename... Args>
[[noreturn]] void usage(Args&&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  throw UsageError(os.str());
}

const char* kindName(LayerKind k) {
  switch (k) {
    case LayerKind::Linear: return "linear";
    case LayerKind::Conv2d: return "conv2d";
    case LayerKind::BatchNorm1d: return "batchnorm1d";
    case LayerKind::BatchNorm2d: return "batchnorm2d";
    case LayerKind::ReLU: return "relu";
    case LayerKind::MaxPool2d: return "maxpool2d";
    case LayerKind::AvgPool2d: return "avgpool2d";
    case LayerKind::Dropout: return "dropout";
    case LayerKind::Flatten: return "flatten";
  }
  return "?";
}

std::string shapeStr(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? "," : "") << s[i];
  os << ']';
  return os.str();
}

at::Device pickDevice(const std::string& name) {
  if (name == "cpu") return at::Device(at::kCPU);
  if (name == "cuda") {
    if (!at::hasCUDA()) {
      usage("device 'cuda' requested, but this libtorch build or this machine has no CUDA device ",
            "(use device 'cpu' or 'auto')");
    }
    return at::Device(at::kCUDA, 0);
  }
  if (name == "auto") return at::hasCUDA() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  usage("unknown device '", name, "' (expected 'cpu', 'cuda' or 'auto')");
}

at::Generator makeGenerator(const at::Device& d, uint64_t seed) {
  if (d.is_cuda()) {
    at::Generator g = at::detail::getCUDAHooks().getDefaultCUDAGenerator(d.index()).clone();
    g.set_current_seed(seed);
    return g;
  }
  return at::detail::createCPUGenerator(seed);
}

// oneDNN's row-major sgemm, found in the already-loaded libdnnl that libtorch links against.
// Only a library that is already in the process is used (RTLD_NOLOAD): never a second copy.
using SgemmFn = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t,
                        const float*, int64_t, float, float*, int64_t);

// The libdnnl whose sgemm findDnnlSgemm() took (its OpenMP runtime is found through it).
void* dnnlLibrary = nullptr;

SgemmFn findDnnlSgemm() {
  static SgemmFn fn = []() -> SgemmFn {
    for (const char* lib : {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so.1", "libmkldnn.so.1", "libmkldnn.so.0"}) {
      void* h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
      if (!h) continue;
      auto f = reinterpret_cast<SgemmFn>(dlsym(h, "dnnl_sgemm"));
      if (!f) f = reinterpret_cast<SgemmFn>(dlsym(h, "mkldnn_sgemm"));
      if (!f) continue;
      // Self-test on a small product with a transpose before trusting it.
      const int64_t m = 3, n = 5, k = 7;
      float a[m * k], b[n * k], c[m * n];
      for (int64_t i = 0; i < m * k; ++i) a[i] = static_cast<float>((i * 7) % 11) - 5.f;
      for (int64_t i = 0; i < n * k; ++i) b[i] = static_cast<float>((i * 5) % 13) - 6.f;
      int st;
      {
        AsyncSignalsBlocked noSignals;
        st = f('N', 'T', m, n, k, 1.f, a, k, b, k, 0.f, c, n);
      }
      if (st != 0) continue;
      bool ok = true;
      for (int64_t i = 0; i < m && ok; ++i)
        for (int64_t j = 0; j < n && ok; ++j) {
          float s = 0;
          for (int64_t t = 0; t < k; ++t) s += a[i * k + t] * b[j * k + t];
          ok = std::fabs(s - c[i * n + j]) < 1e-3f;
        }
      if (ok) {
        dnnlLibrary = h;
        return f;
      }
    }
    return nullptr;
  }();
  return fn;
}

// splitmix64 at counter i: a counter-based stream, so a dropout mask is a pure function of its key.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

DR_MULTIVERSION void fillDropoutMask(float* m, int64_t n, uint64_t key, double p) {
  const double t = std::floor(p * 4294967296.0);
  const uint32_t thr = t >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<uint32_t>(t);
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  int64_t i = 0;
  for (; i + 1 < n; i += 2) {
    const uint64_t z = mix64(key + static_cast<uint64_t>(i >> 1) * 0x9E3779B97F4A7C15ULL);
    m[i] = static_cast<uint32_t>(z >> 32) >= thr ? scale : 0.f;
    m[i + 1] = static_cast<uint32_t>(z) >= thr ? scale : 0.f;
  }
  if (i < n) {
    const uint64_t z = mix64(key + static_cast<uint64_t>(i >> 1) * 0x9E3779B97F4A7C15ULL);
    m[i] = static_cast<uint32_t>(z >> 32) >= thr ? scale : 0.f;
  }
}

// Dot product with float partial sums over short blocks and a double total: vectorisable and
// accurate to ~1e-7 relative even for millions of terms.
DR_MULTIVERSION double dotCPU(const float* a, const float* b, int64_t n) {
  constexpr int64_t W = 16, B = 1024;
  double total = 0;
  int64_t i = 0;
  for (; i + B <= n; i += B) {
    float acc[W] = {0};
    for (int64_t j = 0; j < B; j += W)
      for (int64_t k = 0; k < W; ++k) acc[k] += a[i + j + k] * b[i + j + k];
    double s = 0;
    for (int64_t k = 0; k < W; ++k) s += acc[k];
    total += s;
  }
  for (; i < n; ++i) total += static_cast<double>(a[i]) * b[i];
  return total;
}

DR_MULTIVERSION bool allFiniteCPU(const float* a, int64_t n) {
  constexpr int64_t B = 4096;
  for (int64_t i = 0; i < n; i += B) {
    const int64_t e = std::min(n, i + B);
    int bad = 0;
    for (int64_t j = i; j < e; ++j) bad |= !(std::fabs(a[j]) <= FLT_MAX);
    if (bad) return false;
  }
  return true;
}

// Gaussian noise: Box-Muller on a counter-based stream (splitmix64 of key + pair index), with
// polynomial log and sin/cos accurate to ~1e-6 so the whole loop vectorises (7x faster than ATen's
// normal_, which matters in Langevin inner loops). u1 has 31 random bits and is never 0, so
// |z| <= 6.7 (P(|z| > 6.7) ~ 2e-11 for a true Gaussian).
inline float logUnit(float x) {  // x in (0, 1]
  uint32_t b;
  std::memcpy(&b, &x, 4);
  int32_t e = static_cast<int32_t>((b >> 23) & 0xff) - 127;
  const uint32_t mb = (b & 0x007fffffu) | 0x3f800000u;  // mantissa in [1, 2)
  float m;
  std::memcpy(&m, &mb, 4);
  const bool big = m > 1.41421356f;  // fold into [sqrt(1/2), sqrt(2))
  m = big ? m * 0.5f : m;
  e = big ? e + 1 : e;
  const float s = (m - 1.f) / (m + 1.f), s2 = s * s;  // log m = 2 atanh s
  const float p = s * (2.f + s2 * (0.666666667f + s2 * (0.4f + s2 * (0.285714286f + s2 * 0.222222222f))));
  return static_cast<float>(e) * 0.693147181f + p;
}

inline void sinCos2Pi(float u, float* sn, float* cs) {  // u in [0, 1)
  const float t = u * 4.f;
  const int32_t q = static_cast<int32_t>(t);
  const float x = ((t - static_cast<float>(q)) - 0.5f) * 1.57079633f, x2 = x * x;  // [-pi/4, pi/4)
  const float sx = x * (1.f + x2 * (-0.166666667f + x2 * (0.00833333333f + x2 * (-0.000198412698f + x2 * 2.75573192e-6f))));
  const float cx = 1.f + x2 * (-0.5f + x2 * (0.0416666667f + x2 * (-0.00138888889f + x2 * (2.48015873e-5f - x2 * 2.75573192e-7f))));
  const float r = 0.707106781f, c1 = r * (cx - sx), s1 = r * (cx + sx);  // angle pi/4 + x
  const int32_t k = q & 3;  // then rotate by k quarter turns
  *cs = k == 0 ? c1 : k == 1 ? -s1 : k == 2 ? -c1 : s1;
  *sn = k == 0 ? s1 : k == 1 ? c1 : k == 2 ? -s1 : -c1;
}

inline void gaussianPair(uint64_t z, float std, float* a, float* b) {
  const float u1 = (static_cast<float>(static_cast<int32_t>(z >> 33)) + 0.5f) * 4.656612873e-10f;  // (0, 1)
  const float u2 = static_cast<float>(static_cast<int32_t>(static_cast<uint32_t>(z) >> 8)) * 5.960464478e-8f;  // [0, 1)
  const float r = std * std::sqrt(-2.f * logUnit(u1));
  float s, c;
  sinCos2Pi(u2, &s, &c);
  *a = r * c;
  *b = r * s;
}

DR_MULTIVERSION void addNoiseCPU(float* d, int64_t n, uint64_t key, float std) {
  int64_t i = 0;
  for (; i + 1 < n; i += 2) {
    float a, b;
    gaussianPair(mix64(key + static_cast<uint64_t>(i >> 1) * 0x9E3779B97F4A7C15ULL), std, &a, &b);
    d[i] += a;
    d[i + 1] += b;
  }
  if (i < n) {
    float a, b;
    gaussianPair(mix64(key + static_cast<uint64_t>(i >> 1) * 0x9E3779B97F4A7C15ULL), std, &a, &b);
    d[i] += a;
  }
}

DR_MULTIVERSION void axpbyCPU(float* d, const float* s, float a, float b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] = a * d[i] + b * s[i];
}

// relu in place; NaN passes through (NaN < 0 is false), as in PyTorch
DR_MULTIVERSION void reluCPU(float* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) p[i] = p[i] < 0.f ? 0.f : p[i];
}

DR_MULTIVERSION void reluBackwardCPU(float* g, const float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) g[i] = out[i] > 0.f ? g[i] : 0.f;
}

// Max pooling over planes of H x W, no padding; idx gets the argmax's offset within its plane
// (first maximum in row-major window order; NaN wins, as in PyTorch). Loops run over a row of
// outputs at a time so the compare-and-select vectorises.
DR_MULTIVERSION void maxPoolCPU(const float* in, float* out, int32_t* idx, int64_t planes, int64_t H, int64_t W,
                                int64_t k, int64_t s) {
  const int64_t Ho = (H - k) / s + 1, Wo = (W - k) / s + 1;
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float* src = in + plane * H * W;
    for (int64_t oh = 0; oh < Ho; ++oh) {
      float* best = out + (plane * Ho + oh) * Wo;
      int32_t* bi = idx + (plane * Ho + oh) * Wo;
      const int32_t base = static_cast<int32_t>(oh * s * W);
      for (int64_t ow = 0; ow < Wo; ++ow) {
        best[ow] = src[base + ow * s];
        bi[ow] = base + static_cast<int32_t>(ow * s);
      }
      for (int64_t kh = 0; kh < k; ++kh) {
        const int32_t rb = static_cast<int32_t>((oh * s + kh) * W);
        const float* row = src + rb;
        for (int64_t kw = 0; kw < k; ++kw)
          for (int64_t ow = 0; ow < Wo; ++ow) {
            const float v = row[ow * s + kw];
            const float b = best[ow];
            const bool take = (v > b) | (v != v);
            best[ow] = take ? v : b;
            bi[ow] = take ? rb + static_cast<int32_t>(ow * s + kw) : bi[ow];
          }
      }
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction

Model::Model(const ModelConfig& cfg) : cfg_(cfg), device_(pickDevice(cfg.device)) {
  opts_ = at::TensorOptions().dtype(at::kFloat).device(device_);
  if (cfg.inputShape.empty()) usage("inputShape must be non-empty");
  for (size_t i = 0; i < cfg.inputShape.size(); ++i)
    if (cfg.inputShape[i] <= 0) usage("inputShape[", i, "] must be a positive integer");
  if (cfg.numClasses <= 0) usage("numClasses must be a positive integer");

  struct Slot {
    int64_t offset, size;
    std::vector<int64_t> shape;
  };
  std::vector<Slot> pslots, bslots;
  auto addParam = [&](std::vector<int64_t> shape) {
    int64_t size = 1;
    for (auto s : shape) size *= s;
    pslots.push_back({numParams_, size, std::move(shape)});
    numParams_ += size;
    return static_cast<int>(pslots.size() - 1);
  };
  auto addBuffer = [&](int64_t n) {
    bslots.push_back({numBuffers_, n, {n}});
    numBuffers_ += n;
    return static_cast<int>(bslots.size() - 1);
  };

  std::vector<int64_t> shape = cfg.inputShape;
  inputSize_ = 1;
  for (auto s : shape) inputSize_ *= s;
  auto poolOut = [&](int64_t n, int64_t k, int64_t s, const std::string& where) {
    const int64_t o = (n - k) / s + 1;
    if (n < k || o <= 0) usage(where, ": kernel ", k, " does not fit input size ", n);
    return o;
  };

  for (size_t i = 0; i < cfg.layers.size(); ++i) {
    Layer L;
    L.d = cfg.layers[i];
    const LayerDesc& d = L.d;
    std::ostringstream w;
    w << "layer " << i << " (" << kindName(d.kind) << ")";
    const std::string where = w.str();
    switch (d.kind) {
      case LayerKind::Linear:
        if (d.in <= 0 || d.out <= 0) usage(where, ": inFeatures and outFeatures must be positive");
        if (shape.size() != 1 || shape[0] != d.in)
          usage(where, ": expects input [", d.in, "], got ", shapeStr(shape));
        L.wSlot = addParam({d.out, d.in});
        if (d.bias) L.bSlot = addParam({d.out});
        shape = {d.out};
        break;
      case LayerKind::Conv2d:
        if (d.in <= 0 || d.out <= 0 || d.kernel <= 0 || d.stride <= 0 || d.padding < 0)
          usage(where, ": channels, kernel and stride must be positive, padding >= 0");
        if (shape.size() != 3 || shape[0] != d.in)
          usage(where, ": expects input [", d.in, ",H,W], got ", shapeStr(shape));
        L.wSlot = addParam({d.out, d.in, d.kernel, d.kernel});
        if (d.bias) L.bSlot = addParam({d.out});
        shape = {d.out, poolOut(shape[1] + 2 * d.padding, d.kernel, d.stride, where),
                 poolOut(shape[2] + 2 * d.padding, d.kernel, d.stride, where)};
        break;
      case LayerKind::BatchNorm1d:
      case LayerKind::BatchNorm2d: {
        const bool ok = d.kind == LayerKind::BatchNorm1d ? shape.size() == 1 : shape.size() == 3;
        if (d.in <= 0 || !ok || shape[0] != d.in)
          usage(where, ": expects ", d.in, " features/channels, got input ", shapeStr(shape));
        if (!(d.eps > 0) || !(d.momentum >= 0 && d.momentum <= 1))
          usage(where, ": eps must be > 0 and momentum in [0, 1]");
        L.wSlot = addParam({d.in});
        L.bSlot = addParam({d.in});
        {
          const int64_t per = d.kind == LayerKind::BatchNorm1d ? 1 : shape[1] * shape[2];
          bnCountPerSample_ = bnCountPerSample_ == 0 ? per : std::min(bnCountPerSample_, per);
        }
        L.meanSlot = addBuffer(d.in);
        L.varSlot = addBuffer(d.in);
        break;
      }
      case LayerKind::ReLU:
        break;
      case LayerKind::Dropout:
        if (!(d.p >= 0 && d.p < 1)) usage(where, ": p must be in [0, 1)");
        break;
      case LayerKind::MaxPool2d:
      case LayerKind::AvgPool2d:
        if (d.kernel <= 0 || d.stride <= 0) usage(where, ": kernel and stride must be positive");
        if (shape.size() != 3) usage(where, ": expects [C,H,W] input, got ", shapeStr(shape));
        shape = {shape[0], poolOut(shape[1], d.kernel, d.stride, where), poolOut(shape[2], d.kernel, d.stride, where)};
        break;
      case LayerKind::Flatten: {
        int64_t s = 1;
        for (auto v : shape) s *= v;
        shape = {s};
        break;
      }
    }
    if (L.wSlot >= 0 && firstParamLayer_ < 0) firstParamLayer_ = static_cast<int>(i);
    layers_.push_back(std::move(L));
  }
  if (shape.size() != 1 || shape[0] != cfg.numClasses)
    usage("model output is ", shapeStr(shape), ", expected [", cfg.numClasses, "] logits");

  params_ = at::zeros({numParams_}, opts_);
  grad_ = at::zeros({numParams_}, opts_);
  buffers_ = at::zeros({numBuffers_}, opts_);
  for (const Slot& s : pslots) {
    paramViews_.push_back(params_.narrow(0, s.offset, s.size).view(s.shape));
    gradViews_.push_back(grad_.narrow(0, s.offset, s.size).view(s.shape));
  }
  for (const Slot& s : bslots) bufferViews_.push_back(buffers_.narrow(0, s.offset, s.size));
  initialBuffers_ = at::zeros({numBuffers_}, opts_);
  for (const Layer& L : layers_)
    if (L.varSlot >= 0) initialBuffers_.narrow(0, bslots[L.varSlot].offset, bslots[L.varSlot].size).fill_(1);
  buffers_.copy_(initialBuffers_);
  vecs_.emplace(0, params_);
  vecs_.emplace(1, grad_);
  gen_ = makeGenerator(device_, cfg.seed);
  if (fast()) sgemm_ = findDnnlSgemm();
}

void Model::load(const float* params, const float* buffers) {
  if (params && numParams_ > 0) write(0, params);
  if (buffers && numBuffers_ > 0) writeBuffers(buffers);
}

std::string Model::describe() const {
  std::ostringstream os;
  os << "libtorch " << torchVersion() << " (" << device_.str();
  if (device_.is_cpu()) {
    os << ", " << at::get_num_threads() << (at::get_num_threads() == 1 ? " thread" : " threads");
    if (cfg_.kernels == Kernels::Aten) os << ", ATen kernels only";
    else os << (sgemm_ ? ", oneDNN sgemm" : ", ATen gemm");
  }
  os << ")";
  return os.str();
}

int64_t Model::bytesHeld() const {
  if (disposed_) return 0;
  // params, grad, buffers (+ initial copy), vectors beyond params/grad, noise scratch
  int64_t floats = numParams_ * static_cast<int64_t>(vecs_.size()) + 2 * numBuffers_;
  if (scratch_.defined()) floats += numParams_;
  return floats * 4;
}

void Model::dispose() {
  releaseSaved();
  vecs_.clear();
  paramViews_.clear();
  gradViews_.clear();
  bufferViews_.clear();
  params_ = grad_ = buffers_ = initialBuffers_ = scratch_ = at::Tensor();
  disposed_ = true;
}

void Model::releaseSaved() {
  for (Layer& L : layers_) L.in = L.out = L.aux = L.saveMean = L.saveInvstd = at::Tensor();
}

// ---------------------------------------------------------------------------------------------
// Vectors

at::Tensor& Model::vec(int64_t id, const char* what) {
  if (disposed_) usage("model is disposed");
  auto it = vecs_.find(id);
  if (it == vecs_.end()) usage(what, ": invalid vector handle ", id, " (freed, or from another model)");
  return it->second;
}

int64_t Model::newVec(int64_t from) {
  if (disposed_) usage("model is disposed");
  at::Tensor t = from < 0 ? at::zeros({numParams_}, opts_) : vec(from, "vector").clone();
  vecs_.emplace(nextId_, std::move(t));
  return nextId_++;
}

void Model::freeVec(int64_t id) {
  vec(id, "free");
  if (id == 0 || id == 1) usage("free: params and grad belong to the model and cannot be freed");
  vecs_.erase(id);
}

void Model::copy(int64_t dst, int64_t src) {
  at::Tensor& d = vec(dst, "copy dst");
  at::Tensor& s = vec(src, "copy src");
  if (dst != src) d.copy_(s);
}

void Model::fill(int64_t dst, double v) { vec(dst, "fill").fill_(v); }

void Model::scale(int64_t dst, double a) { vec(dst, "scale").mul_(a); }

void Model::axpy(int64_t dst, double alpha, int64_t x) {
  at::Tensor& d = vec(dst, "axpy dst");
  at::Tensor& s = vec(x, "axpy x");
  d.add_(s, alpha);
}

void Model::axpby(int64_t dst, double a, double b, int64_t x) {
  at::Tensor& d = vec(dst, "axpby dst");
  at::Tensor& s = vec(x, "axpby x");
  if (device_.is_cpu()) {
    axpbyCPU(d.data_ptr<float>(), s.data_ptr<float>(), static_cast<float>(a), static_cast<float>(b), numParams_);
  } else if (dst == x) {
    d.mul_(a + b);
  } else {
    d.mul_(a).add_(s, b);
  }
}

void Model::addNoise(int64_t dst, double std) {
  at::Tensor& d = vec(dst, "addNoise");
  if (!(std >= 0) || !std::isfinite(std)) usage("addNoise: std must be a finite number >= 0, got ", std);
  if (std == 0 || numParams_ == 0) return;
  if (fast()) {
    addNoiseCPU(d.data_ptr<float>(), numParams_, nextKey(), static_cast<float>(std));
    return;
  }
  if (!scratch_.defined()) scratch_ = at::empty({numParams_}, opts_);
  scratch_.normal_(0.0, std, gen_);
  d.add_(scratch_);
}

double Model::dot(int64_t a, int64_t b) {
  at::Tensor& x = vec(a, "dot");
  at::Tensor& y = vec(b, "dot");
  if (numParams_ == 0) return 0;
  if (device_.is_cpu()) return dotCPU(x.data_ptr<float>(), y.data_ptr<float>(), numParams_);
  return at::dot(x.to(at::kDouble), y.to(at::kDouble)).item<double>();
}

double Model::norm(int64_t a) {
  at::Tensor& x = vec(a, "norm");
  if (numParams_ == 0) return 0;
  if (device_.is_cpu()) {
    const float* p = x.data_ptr<float>();
    return std::sqrt(dotCPU(p, p, numParams_));
  }
  return x.norm().item<double>();
}

bool Model::allFinite(int64_t a) {
  at::Tensor& x = vec(a, "allFinite");
  if (numParams_ == 0) return true;
  if (device_.is_cpu()) return allFiniteCPU(x.data_ptr<float>(), numParams_);
  return at::isfinite(x).all().item<bool>();
}

void Model::read(int64_t id, float* out) {
  at::Tensor& t = vec(id, "read");
  if (numParams_ == 0) return;
  if (device_.is_cpu()) std::memcpy(out, t.data_ptr<float>(), numParams_ * sizeof(float));
  else at::from_blob(out, {numParams_}, at::kFloat).copy_(t);
}

void Model::write(int64_t id, const float* in) {
  at::Tensor& t = vec(id, "write");
  if (numParams_ == 0) return;
  t.copy_(at::from_blob(const_cast<float*>(in), {numParams_}, at::kFloat));
}

void Model::readBuffers(float* out) {
  if (disposed_) usage("model is disposed");
  if (numBuffers_ == 0) return;
  at::from_blob(out, {numBuffers_}, at::kFloat).copy_(buffers_);
}

void Model::writeBuffers(const float* in) {
  if (disposed_) usage("model is disposed");
  if (numBuffers_ == 0) return;
  buffers_.copy_(at::from_blob(const_cast<float*>(in), {numBuffers_}, at::kFloat));
}

void Model::resetBuffers() {
  if (disposed_) usage("model is disposed");
  if (numBuffers_ > 0) buffers_.copy_(initialBuffers_);
}

void Model::seed(uint64_t s) {
  if (disposed_) usage("model is disposed");
  std::lock_guard<std::mutex> lock(gen_.mutex());
  gen_.set_current_seed(s);
}

uint64_t Model::nextKey() {
  std::lock_guard<std::mutex> lock(gen_.mutex());
  if (device_.is_cpu()) return at::check_generator<at::CPUGeneratorImpl>(gen_)->random64();
  return 0;  // CUDA masks come from bernoulli_ on the CUDA generator
}

at::Tensor Model::dropoutMask(uint64_t key, const at::Tensor& like, double p) {
  if (device_.is_cpu()) {
    at::Tensor m = at::empty(like.sizes(), opts_);
    fillDropoutMask(m.data_ptr<float>(), m.numel(), key, p);
    return m;
  }
  return at::empty(like.sizes(), opts_).bernoulli_(1.0 - p, gen_).div_(1.0 - p);
}

// ---------------------------------------------------------------------------------------------
// Forward / backward

void Model::checkLabels(const int32_t* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i)
    if (y[i] < 0 || y[i] >= cfg_.numClasses)
      usage("label y[", i, "] = ", y[i], " is out of range [0, ", cfg_.numClasses, ")");
}

at::Tensor Model::inputTensor(const float* x, int64_t n) {
  if (disposed_) usage("model is disposed");
  if (n <= 0) usage("batch must have n >= 1 samples");
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), cfg_.inputShape.begin(), cfg_.inputShape.end());
  // Always a copy: layers work in place on their inputs.
  return at::from_blob(const_cast<float*>(x), shape, at::kFloat).to(opts_, false, true);
}

void Model::sgemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                  const float* b, int64_t ldb, float beta, float* c, int64_t ldc) const {
  AsyncSignalsBlocked noSignals;  // the JIT kernel's rsp points into the heap (signal_guard.h)
  const int st = sgemm_(ta, tb, m, n, k, 1.f, a, lda, b, ldb, beta, c, ldc);
  if (st != 0) throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(st));
}

at::Tensor Model::forward(const at::Tensor& input, Flags f) {
  at::Tensor x = input;
  const int64_t n = x.size(0);
  const bool fastCpu = fast();
  for (Layer& L : layers_) {
    const LayerDesc& d = L.d;
    if (f.save) L.inShape = x.sizes().vec();
    switch (d.kind) {
      case LayerKind::Linear: {
        x = x.contiguous();
        if (f.save) L.in = x;
        const at::Tensor& W = paramViews_[L.wSlot];
        if (fastCpu && sgemm_) {
          at::Tensor out = at::empty({n, d.out}, opts_);
          float* c = out.data_ptr<float>();
          float beta = 0.f;
          if (L.bSlot >= 0) {
            const float* b = paramViews_[L.bSlot].data_ptr<float>();
            for (int64_t r = 0; r < n; ++r) std::memcpy(c + r * d.out, b, d.out * sizeof(float));
            beta = 1.f;
          }
          sgemm('N', 'T', n, d.out, d.in, x.data_ptr<float>(), d.in, W.data_ptr<float>(), d.in, beta, c, d.out);
          x = out;
        } else {
          x = L.bSlot >= 0 ? at::addmm(paramViews_[L.bSlot], x, W.t()) : at::mm(x, W.t());
        }
        break;
      }
      case LayerKind::Conv2d: {
        if (f.save) L.in = x;
        c10::optional<at::Tensor> bias;
        if (L.bSlot >= 0) bias = paramViews_[L.bSlot];
        // oneDNN may implement it with its JIT gemm (CPU-dependent): no signals meanwhile.
        AsyncSignalsBlocked noSignals;
        x = at::convolution(x, paramViews_[L.wSlot], bias, {d.stride, d.stride}, {d.padding, d.padding}, {1, 1},
                            false, {0, 0}, 1);
        break;
      }
      case LayerKind::BatchNorm1d:
      case LayerKind::BatchNorm2d: {
        if (f.bnTrain && x.numel() / d.in <= 1)
          usage("batch norm in train mode needs more than 1 value per channel; got a batch of ", n, " (",
                x.numel() / d.in, " per channel)");
        if (f.save) L.in = x;
        auto r = at::native_batch_norm(x, paramViews_[L.wSlot], paramViews_[L.bSlot], bufferViews_[L.meanSlot],
                                       bufferViews_[L.varSlot], f.bnTrain, d.momentum, d.eps);
        x = std::get<0>(r);
        if (f.save) {
          L.saveMean = std::get<1>(r);
          L.saveInvstd = std::get<2>(r);
          L.bnTrained = f.bnTrain;
        }
        break;
      }
      case LayerKind::ReLU: {
        // In place: safe because no layer's backward needs its own output except relu itself, and
        // the only other in-place layers (relu, dropout) preserve the sign pattern relu's backward reads.
        x = x.contiguous();
        if (fastCpu) {
          reluCPU(x.data_ptr<float>(), x.numel());
        } else {
          x.relu_();
        }
        if (f.save) L.out = x;
        break;
      }
      case LayerKind::Dropout: {
        if (!f.dropout || d.p == 0) {
          if (f.save) L.aux = at::Tensor();
          break;
        }
        x = x.contiguous();
        at::Tensor mask = dropoutMask(nextKey(), x, d.p);
        x.mul_(mask);  // multiply (not select) so NaN inputs stay NaN, as in PyTorch
        if (f.save) L.aux = mask;
        break;
      }
      case LayerKind::MaxPool2d: {
        if (fastCpu) {
          x = x.contiguous();
          const int64_t C = x.size(1), H = x.size(2), Wd = x.size(3);
          const int64_t k = d.kernel, s = d.stride;
          const int64_t Ho = (H - k) / s + 1, Wo = (Wd - k) / s + 1;
          at::Tensor out = at::empty({n, C, Ho, Wo}, opts_);
          at::Tensor idx = at::empty({n, C, Ho, Wo}, opts_.dtype(at::kInt));
          maxPoolCPU(x.data_ptr<float>(), out.data_ptr<float>(), idx.data_ptr<int32_t>(), n * C, H, Wd, k, s);
          if (f.save) L.aux = idx;
          x = out;
        } else {
          auto r = at::max_pool2d_with_indices(x, {d.kernel, d.kernel}, {d.stride, d.stride}, {0, 0}, {1, 1}, false);
          x = std::get<0>(r);
          if (f.save) L.aux = std::get<1>(r);
        }
        break;
      }
      case LayerKind::AvgPool2d:
        x = at::avg_pool2d(x, {d.kernel, d.kernel}, {d.stride, d.stride}, {0, 0}, false, true, c10::nullopt);
        break;
      case LayerKind::Flatten:
        x = x.reshape({n, -1});
        break;
    }
  }
  return x;
}

void Model::backward(at::Tensor g) {
  if (firstParamLayer_ < 0) return;
  const bool fastCpu = fast();
  for (int i = static_cast<int>(layers_.size()) - 1; i >= firstParamLayer_; --i) {
    Layer& L = layers_[i];
    const LayerDesc& d = L.d;
    const bool needIn = i > firstParamLayer_;
    switch (d.kind) {
      case LayerKind::Linear: {
        g = g.contiguous();
        const int64_t n = g.size(0);
        at::Tensor& gW = gradViews_[L.wSlot];
        const at::Tensor& W = paramViews_[L.wSlot];
        if (fastCpu && sgemm_) {
          sgemm('T', 'N', d.out, d.in, n, g.data_ptr<float>(), d.out, L.in.data_ptr<float>(), d.in, 0.f,
                gW.data_ptr<float>(), d.in);
          if (L.bSlot >= 0) at::sum_out(gradViews_[L.bSlot], g, {0});
          if (needIn) {
            at::Tensor gin = at::empty({n, d.in}, opts_);
            sgemm('N', 'N', n, d.in, d.out, g.data_ptr<float>(), d.out, W.data_ptr<float>(), d.in, 0.f,
                  gin.data_ptr<float>(), d.in);
            g = gin;
          }
        } else {
          at::mm_out(gW, g.t(), L.in);
          if (L.bSlot >= 0) at::sum_out(gradViews_[L.bSlot], g, {0});
          if (needIn) g = at::mm(g, W);
        }
        break;
      }
      case LayerKind::Conv2d: {
        const bool hasBias = L.bSlot >= 0;
        std::vector<int64_t> biasSizes{d.out};
        AsyncSignalsBlocked noSignals;  // as in forward
        auto r = at::convolution_backward(g, L.in, paramViews_[L.wSlot],
                                          hasBias ? at::OptionalIntArrayRef(biasSizes) : at::OptionalIntArrayRef(),
                                          {d.stride, d.stride}, {d.padding, d.padding}, {1, 1}, false, {0, 0}, 1,
                                          {needIn, true, hasBias});
        gradViews_[L.wSlot].copy_(std::get<1>(r));
        if (hasBias) gradViews_[L.bSlot].copy_(std::get<2>(r));
        if (needIn) g = std::get<0>(r);
        break;
      }
      case LayerKind::BatchNorm1d:
      case LayerKind::BatchNorm2d: {
        auto r = at::native_batch_norm_backward(g, L.in, paramViews_[L.wSlot], bufferViews_[L.meanSlot],
                                                bufferViews_[L.varSlot], L.saveMean, L.saveInvstd, L.bnTrained, d.eps,
                                                {needIn, true, true});
        gradViews_[L.wSlot].copy_(std::get<1>(r));
        gradViews_[L.bSlot].copy_(std::get<2>(r));
        if (needIn) g = std::get<0>(r);
        break;
      }
      case LayerKind::ReLU: {
        if (fastCpu) {
          g = g.contiguous();
          reluBackwardCPU(g.data_ptr<float>(), L.out.data_ptr<float>(), g.numel());
        } else {
          g = at::threshold_backward(g, L.out, 0);
        }
        break;
      }
      case LayerKind::Dropout:
        if (L.aux.defined()) g = g.mul(L.aux);
        break;
      case LayerKind::MaxPool2d: {
        if (fastCpu) {
          g = g.contiguous();
          const int64_t planes = L.inShape[0] * L.inShape[1];
          const int64_t HW = L.inShape[2] * L.inShape[3];
          const int64_t out = g.size(2) * g.size(3);
          at::Tensor gin = at::zeros(L.inShape, opts_);
          float* dst = gin.data_ptr<float>();
          const float* src = g.data_ptr<float>();
          const int32_t* idx = L.aux.data_ptr<int32_t>();
          for (int64_t p = 0; p < planes; ++p)
            for (int64_t o = 0; o < out; ++o) dst[p * HW + idx[p * out + o]] += src[p * out + o];
          g = gin;
        } else {
          at::Tensor shapeRef = at::empty(L.inShape, opts_);
          g = at::max_pool2d_with_indices_backward(g, shapeRef, {d.kernel, d.kernel}, {d.stride, d.stride}, {0, 0},
                                                   {1, 1}, false, L.aux);
        }
        break;
      }
      case LayerKind::AvgPool2d: {
        at::Tensor shapeRef = at::empty(L.inShape, opts_);
        g = at::avg_pool2d_backward(g, shapeRef, {d.kernel, d.kernel}, {d.stride, d.stride}, {0, 0}, false, true,
                                    c10::nullopt);
        break;
      }
      case LayerKind::Flatten:
        g = g.reshape(L.inShape);
        break;
    }
  }
}

BatchResult Model::lossAndLogitGrad(const at::Tensor& logitsIn, const int32_t* y, int64_t n, at::Tensor* grad) {
  const int64_t C = cfg_.numClasses;
  if (fast()) {
    at::Tensor logits = logitsIn.contiguous();
    const float* l = logits.data_ptr<float>();
    float* g = nullptr;
    if (grad) {
      *grad = at::empty({n, C}, opts_);
      g = grad->data_ptr<float>();
    }
    double total = 0;
    int64_t correct = 0;
    std::vector<double> e(C);
    for (int64_t r = 0; r < n; ++r, l += C) {
      float mx = l[0];
      int64_t am = 0;
      bool nan = false;
      for (int64_t j = 0; j < C; ++j) {
        if (std::isnan(l[j])) nan = true;
        if (l[j] > mx) {
          mx = l[j];
          am = j;
        }
      }
      double s = 0;
      for (int64_t j = 0; j < C; ++j) s += (e[j] = std::exp(static_cast<double>(l[j]) - mx));
      total += std::log(s) + mx - l[y[r]];
      if (!nan && am == y[r]) ++correct;
      if (g) {
        for (int64_t j = 0; j < C; ++j) g[j] = static_cast<float>((e[j] / s - (j == y[r] ? 1.0 : 0.0)) / n);
        g += C;
      }
    }
    return {total / n, correct};
  }
  at::Tensor yt = at::from_blob(const_cast<int32_t*>(y), {n}, at::kInt).to(device_, at::kLong);
  at::Tensor lsm = at::log_softmax(logitsIn, 1);
  at::Tensor loss = at::nll_loss(lsm, yt);
  at::Tensor correct = logitsIn.argmax(1).eq(yt).logical_and(logitsIn.isnan().any(1).logical_not()).sum();
  if (grad) *grad = lsm.exp().sub_(at::one_hot(yt, C).to(at::kFloat)).div_(static_cast<double>(n));
  return {loss.item<double>(), correct.item<int64_t>()};
}

// Checked before anything runs, so that a rejected batch changes no running statistic and draws
// no random numbers (the forward pass checks again per layer).
void Model::checkBatchNormBatch(int64_t n, bool bnTrain) const {
  if (bnTrain && bnCountPerSample_ > 0 && n * bnCountPerSample_ <= 1)
    usage("batch norm in train mode needs more than 1 value per channel; got a batch of ", n, " (",
          n * bnCountPerSample_, " per channel)");
}

BatchResult Model::lossAndGrad(const float* x, const int32_t* y, int64_t n) {
  at::Tensor in = inputTensor(x, n);
  checkLabels(y, n);
  checkBatchNormBatch(n, train_);
  at::NoGradGuard noGrad;
  struct Release {
    Model* m;
    ~Release() { m->releaseSaved(); }
  } release{this};
  at::Tensor logits = forward(in, {train_, train_, true});
  at::Tensor g;
  BatchResult r = lossAndLogitGrad(logits, y, n, &g);
  backward(g);
  return r;
}

BatchResult Model::evaluate(const float* x, const int32_t* y, int64_t n) {
  at::Tensor in = inputTensor(x, n);
  checkLabels(y, n);
  checkBatchNormBatch(n, train_);
  at::NoGradGuard noGrad;
  at::Tensor logits = forward(in, {train_, train_, false});
  return lossAndLogitGrad(logits, y, n, nullptr);
}

void Model::updateBatchNormStats(const float* x, int64_t n) {
  at::Tensor in = inputTensor(x, n);
  checkBatchNormBatch(n, true);
  at::NoGradGuard noGrad;
  forward(in, {false, true, false});
}

// ---------------------------------------------------------------------------------------------
// Process-wide settings

std::string torchVersion() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

bool cudaAvailable() { return at::hasCUDA(); }

int cudaDeviceCount() { return at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0; }

bool dnnlAvailable() { return findDnnlSgemm() != nullptr; }

void setThreads(int n) {
  if (n < 1) usage("threads must be >= 1");
  at::set_num_threads(n);
  // oneDNN's sgemm runs on the OpenMP pool's workers too; keep signals off them (signal_guard.h).
  // dlsym through libdnnl's handle finds the GOMP_parallel oneDNN itself binds to.
  if (findDnnlSgemm() != nullptr && dnnlLibrary != nullptr)
    blockAsyncSignalsInOpenMpWorkers(reinterpret_cast<GompParallelFn>(dlsym(dnnlLibrary, "GOMP_parallel")), n);
}

bool setInteropThreads(int n) {
  if (n < 1) usage("interop threads must be >= 1");
  if (at::get_num_interop_threads() == n) return true;
  try {
    at::set_num_interop_threads(n);  // allowed once, before any inter-op work
    return true;
  } catch (const c10::Error&) {
    return false;
  }
}

int getThreads() { return at::get_num_threads(); }

int getInteropThreads() { return at::get_num_interop_threads(); }

}  // namespace deeprelax
