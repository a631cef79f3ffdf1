// N-API surface of the torch engine. Every entry point runs inside guard(): C++ exceptions
// (c10::Error, std::exception, anything) become JavaScript Errors with a `code` property:
//   ERR_TORCH_USAGE   bad input from the caller (sizes, handles, labels, disposed model, spec)
//   ERR_TORCH_NATIVE  libtorch or oneDNN failed
// Every size and handle handed in is checked here or in model.cc before any memory is touched.
// The TypeScript declaration of this surface is src/native.ts.
#include <napi.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "cpu_allocator.h"
#include "model.h"

namespace {

using deeprelax::UsageError;

Napi::Error makeError(Napi::Env env, const char* code, const std::string& msg) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

template <typename F>
Napi::Value guard(const Napi::CallbackInfo& info, F&& f) {
  Napi::Env env = info.Env();
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const UsageError& e) {
    throw makeError(env, "ERR_TORCH_USAGE", e.what());
  } catch (const c10::Error& e) {
    throw makeError(env, "ERR_TORCH_NATIVE", std::string("libtorch: ") + e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    throw makeError(env, "ERR_TORCH_NATIVE", "out of memory");
  } catch (const std::exception& e) {
    throw makeError(env, "ERR_TORCH_NATIVE", e.what());
  } catch (...) {
    throw makeError(env, "ERR_TORCH_NATIVE", "unknown native error");
  }
}

[[noreturn]] void bad(const std::string& msg) { throw UsageError(msg); }

double number(const Napi::Value& v, const std::string& what) {
  if (!v.IsNumber()) bad(what + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

int64_t integer(const Napi::Value& v, const std::string& what) {
  const double d = number(v, what);
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0) bad(what + " must be an integer");
  return static_cast<int64_t>(d);
}

Napi::Value arg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length()) bad("missing argument " + std::to_string(i + 1));
  return info[i];
}

Napi::Float32Array f32(const Napi::Value& v, const std::string& what, int64_t expected) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    bad(what + " must be a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  if (expected >= 0 && static_cast<int64_t>(a.ElementLength()) != expected)
    bad(what + " has length " + std::to_string(a.ElementLength()) + ", expected " + std::to_string(expected));
  return a;
}

Napi::Int32Array i32(const Napi::Value& v, const std::string& what, int64_t expected) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    bad(what + " must be an Int32Array");
  auto a = v.As<Napi::Int32Array>();
  if (static_cast<int64_t>(a.ElementLength()) != expected)
    bad(what + " has length " + std::to_string(a.ElementLength()) + ", expected " + std::to_string(expected));
  return a;
}

Napi::Float64Array f64(const Napi::Value& v, const std::string& what, size_t minLength) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    bad(what + " must be a Float64Array");
  auto a = v.As<Napi::Float64Array>();
  if (a.ElementLength() < minLength) bad(what + " is too short");
  return a;
}

std::optional<Napi::Value> field(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  return v;
}

int64_t intField(const Napi::Object& o, const char* key, const std::string& where, std::optional<int64_t> def = {}) {
  auto v = field(o, key);
  if (!v) {
    if (def) return *def;
    bad(where + ": missing " + key);
  }
  return integer(*v, where + " " + key);
}

double numField(const Napi::Object& o, const char* key, const std::string& where, double def) {
  auto v = field(o, key);
  return v ? number(*v, where + " " + key) : def;
}

deeprelax::ModelConfig parseConfig(const Napi::Value& v) {
  using deeprelax::LayerKind;
  if (!v.IsObject()) bad("model config must be an object");
  Napi::Object c = v.As<Napi::Object>();
  deeprelax::ModelConfig cfg;
  auto shape = field(c, "inputShape");
  if (!shape || !shape->IsArray()) bad("spec.inputShape must be an array");
  Napi::Array sa = shape->As<Napi::Array>();
  for (uint32_t i = 0; i < sa.Length(); ++i) cfg.inputShape.push_back(integer(sa.Get(i), "spec.inputShape[" + std::to_string(i) + "]"));
  cfg.numClasses = intField(c, "numClasses", "spec");
  auto layers = field(c, "layers");
  if (!layers || !layers->IsArray()) bad("spec.layers must be an array");
  Napi::Array la = layers->As<Napi::Array>();
  for (uint32_t i = 0; i < la.Length(); ++i) {
    const std::string where = "layer " + std::to_string(i);
    Napi::Value lv = la.Get(i);
    if (!lv.IsObject()) bad(where + " must be an object");
    Napi::Object l = lv.As<Napi::Object>();
    auto kv = field(l, "kind");
    if (!kv || !kv->IsString()) bad(where + ": missing kind");
    const std::string kind = kv->As<Napi::String>().Utf8Value();
    const std::string w = where + " (" + kind + ")";
    deeprelax::LayerDesc d;
    auto boolField = [&](const char* key, bool def) {
      auto b = field(l, key);
      if (!b) return def;
      if (!b->IsBoolean()) bad(w + " " + key + " must be a boolean");
      return b->As<Napi::Boolean>().Value();
    };
    if (kind == "linear") {
      d.kind = LayerKind::Linear;
      d.in = intField(l, "inFeatures", w);
      d.out = intField(l, "outFeatures", w);
      d.bias = boolField("bias", true);
    } else if (kind == "conv2d") {
      d.kind = LayerKind::Conv2d;
      d.in = intField(l, "inChannels", w);
      d.out = intField(l, "outChannels", w);
      d.kernel = intField(l, "kernel", w);
      d.stride = intField(l, "stride", w, 1);
      d.padding = intField(l, "padding", w, 0);
      d.bias = boolField("bias", true);
    } else if (kind == "batchnorm1d" || kind == "batchnorm2d") {
      d.kind = kind == "batchnorm1d" ? LayerKind::BatchNorm1d : LayerKind::BatchNorm2d;
      d.in = intField(l, "features", w);
      d.eps = numField(l, "eps", w, 1e-5);
      d.momentum = numField(l, "momentum", w, 0.1);
    } else if (kind == "relu") {
      d.kind = LayerKind::ReLU;
    } else if (kind == "maxpool2d" || kind == "avgpool2d") {
      d.kind = kind == "maxpool2d" ? LayerKind::MaxPool2d : LayerKind::AvgPool2d;
      d.kernel = intField(l, "kernel", w);
      d.stride = intField(l, "stride", w, d.kernel);
    } else if (kind == "dropout") {
      d.kind = LayerKind::Dropout;
      d.p = numField(l, "p", w, -1);
    } else if (kind == "flatten") {
      d.kind = LayerKind::Flatten;
    } else {
      bad(where + ": unknown layer kind '" + kind + "'");
    }
    cfg.layers.push_back(d);
  }
  const int64_t seed = intField(c, "seed", "config");
  cfg.seed = static_cast<uint64_t>(seed);
  auto dev = field(c, "device");
  cfg.device = dev && dev->IsString() ? dev->As<Napi::String>().Utf8Value() : "cpu";
  auto kern = field(c, "kernels");
  const std::string k = kern && kern->IsString() ? kern->As<Napi::String>().Utf8Value() : "fast";
  if (k == "fast") cfg.kernels = deeprelax::Kernels::Fast;
  else if (k == "aten") cfg.kernels = deeprelax::Kernels::Aten;
  else bad("kernels must be 'fast' or 'aten', got '" + k + "'");
  return cfg;
}

class NativeModel : public Napi::ObjectWrap<NativeModel> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeModel",
                       {
                           InstanceMethod<&NativeModel::NumParams>("numParams"),
                           InstanceMethod<&NativeModel::NumBuffers>("numBuffers"),
                           InstanceMethod<&NativeModel::Describe>("describe"),
                           InstanceMethod<&NativeModel::NewVec>("newVec"),
                           InstanceMethod<&NativeModel::FreeVec>("freeVec"),
                           InstanceMethod<&NativeModel::Copy>("copy"),
                           InstanceMethod<&NativeModel::Fill>("fill"),
                           InstanceMethod<&NativeModel::Scale>("scale"),
                           InstanceMethod<&NativeModel::Axpy>("axpy"),
                           InstanceMethod<&NativeModel::Axpby>("axpby"),
                           InstanceMethod<&NativeModel::AddNoise>("addNoise"),
                           InstanceMethod<&NativeModel::Dot>("dot"),
                           InstanceMethod<&NativeModel::Norm>("norm"),
                           InstanceMethod<&NativeModel::AllFinite>("allFinite"),
                           InstanceMethod<&NativeModel::Read>("read"),
                           InstanceMethod<&NativeModel::Write>("write"),
                           InstanceMethod<&NativeModel::ReadBuffers>("readBuffers"),
                           InstanceMethod<&NativeModel::WriteBuffers>("writeBuffers"),
                           InstanceMethod<&NativeModel::ResetBuffers>("resetBuffers"),
                           InstanceMethod<&NativeModel::SetTrain>("setTrain"),
                           InstanceMethod<&NativeModel::LossAndGrad>("lossAndGrad"),
                           InstanceMethod<&NativeModel::Evaluate>("evaluate"),
                           InstanceMethod<&NativeModel::UpdateBatchNormStats>("updateBatchNormStats"),
                           InstanceMethod<&NativeModel::ReferenceLossAndGrad>("referenceLossAndGrad"),
                           InstanceMethod<&NativeModel::Seed>("seed"),
                           InstanceMethod<&NativeModel::Dispose>("dispose"),
                       });
  }

  explicit NativeModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeModel>(info) {
    guard(info, [&]() -> Napi::Value {
      Napi::Value c = arg(info, 0);
      deeprelax::ModelConfig cfg = parseConfig(c);
      auto m = std::make_unique<deeprelax::Model>(cfg);
      Napi::Object o = c.As<Napi::Object>();
      const float* p = nullptr;
      const float* b = nullptr;
      if (auto pv = field(o, "params")) p = f32(*pv, "initial params", m->numParams()).Data();
      if (auto bv = field(o, "buffers")) b = f32(*bv, "initial buffers", m->numBuffers()).Data();
      m->load(p, b);
      model_ = std::move(m);
      syncMemory(info.Env());
      return info.Env().Undefined();
    });
  }

  // A basic finalizer runs during garbage collection itself (it calls no JavaScript), so the
  // tensors of a model that was never disposed are freed as soon as V8 collects it, even inside a
  // long synchronous loop; the reported external memory is what prompts V8 to collect.
  void Finalize(Napi::BasicEnv env) override {
    if (reported_ != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -reported_);
    reported_ = 0;
    model_.reset();
  }

 private:
  deeprelax::Model& m() {
    if (!model_ || model_->disposed()) bad("model is disposed");
    return *model_;
  }

  void syncMemory(Napi::Env env) {
    const int64_t now = model_ ? model_->bytesHeld() : 0;
    if (now != reported_) Napi::MemoryManagement::AdjustExternalMemory(env, now - reported_);
    reported_ = now;
  }

  Napi::Value NumParams(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value { return Napi::Number::New(info.Env(), static_cast<double>(m().numParams())); });
  }
  Napi::Value NumBuffers(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value { return Napi::Number::New(info.Env(), static_cast<double>(m().numBuffers())); });
  }
  Napi::Value Describe(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value { return Napi::String::New(info.Env(), m().describe()); });
  }
  Napi::Value NewVec(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      const int64_t from = integer(arg(info, 0), "from");
      const int64_t id = m().newVec(from);
      syncMemory(info.Env());
      return Napi::Number::New(info.Env(), static_cast<double>(id));
    });
  }
  Napi::Value FreeVec(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().freeVec(integer(arg(info, 0), "vector"));
      syncMemory(info.Env());
      return info.Env().Undefined();
    });
  }
  Napi::Value Copy(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().copy(integer(arg(info, 0), "dst"), integer(arg(info, 1), "src"));
      return info.Env().Undefined();
    });
  }
  Napi::Value Fill(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().fill(integer(arg(info, 0), "dst"), number(arg(info, 1), "value"));
      return info.Env().Undefined();
    });
  }
  Napi::Value Scale(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().scale(integer(arg(info, 0), "dst"), number(arg(info, 1), "a"));
      return info.Env().Undefined();
    });
  }
  Napi::Value Axpy(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().axpy(integer(arg(info, 0), "dst"), number(arg(info, 1), "alpha"), integer(arg(info, 2), "x"));
      return info.Env().Undefined();
    });
  }
  Napi::Value Axpby(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().axpby(integer(arg(info, 0), "dst"), number(arg(info, 1), "a"), number(arg(info, 2), "b"),
                integer(arg(info, 3), "x"));
      return info.Env().Undefined();
    });
  }
  Napi::Value AddNoise(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().addNoise(integer(arg(info, 0), "dst"), number(arg(info, 1), "std"));
      syncMemory(info.Env());
      return info.Env().Undefined();
    });
  }
  Napi::Value Dot(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), m().dot(integer(arg(info, 0), "a"), integer(arg(info, 1), "b")));
    });
  }
  Napi::Value Norm(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value { return Napi::Number::New(info.Env(), m().norm(integer(arg(info, 0), "a"))); });
  }
  Napi::Value AllFinite(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), m().allFinite(integer(arg(info, 0), "a")));
    });
  }
  Napi::Value Read(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      deeprelax::Model& mm = m();
      const int64_t id = integer(arg(info, 0), "vector");
      auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(mm.numParams()));
      mm.read(id, out.Data());
      return out;
    });
  }
  Napi::Value Write(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      deeprelax::Model& mm = m();
      const int64_t id = integer(arg(info, 0), "vector");
      mm.write(id, f32(arg(info, 1), "data", mm.numParams()).Data());
      return info.Env().Undefined();
    });
  }
  Napi::Value ReadBuffers(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      deeprelax::Model& mm = m();
      auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(mm.numBuffers()));
      mm.readBuffers(out.Data());
      return out;
    });
  }
  Napi::Value WriteBuffers(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      deeprelax::Model& mm = m();
      mm.writeBuffers(f32(arg(info, 0), "buffers", mm.numBuffers()).Data());
      return info.Env().Undefined();
    });
  }
  Napi::Value ResetBuffers(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().resetBuffers();
      return info.Env().Undefined();
    });
  }
  Napi::Value SetTrain(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      Napi::Value v = arg(info, 0);
      if (!v.IsBoolean()) bad("setTrain expects a boolean");
      m().setTrain(v.As<Napi::Boolean>().Value());
      return info.Env().Undefined();
    });
  }

  // (x: Float32Array, y: Int32Array, n: number, out: Float64Array[2]) -> out = [loss, correct]
  struct BatchArgs {
    const float* x;
    const int32_t* y;
    int64_t n;
  };
  BatchArgs batch(const Napi::CallbackInfo& info, bool labels) {
    deeprelax::Model& mm = m();
    const int64_t n = integer(arg(info, 2), "batch n");
    if (n <= 0) bad("batch n must be >= 1, got " + std::to_string(n));
    auto x = f32(arg(info, 0), "batch x", n * mm.inputSize());
    const int32_t* y = nullptr;
    if (labels) {
      y = i32(arg(info, 1), "batch y", n).Data();
      mm.checkLabels(y, n);
    }
    return {x.Data(), y, n};
  }
  Napi::Value LossAndGrad(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      BatchArgs b = batch(info, true);
      auto out = f64(arg(info, 3), "result", 2);
      auto r = m().lossAndGrad(b.x, b.y, b.n);
      out[0] = r.loss;
      out[1] = static_cast<double>(r.correct);
      return info.Env().Undefined();
    });
  }
  Napi::Value Evaluate(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      BatchArgs b = batch(info, true);
      auto out = f64(arg(info, 3), "result", 2);
      auto r = m().evaluate(b.x, b.y, b.n);
      out[0] = r.loss;
      out[1] = static_cast<double>(r.correct);
      return info.Env().Undefined();
    });
  }
  Napi::Value UpdateBatchNormStats(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      BatchArgs b = batch(info, true);  // labels checked: a Batch is validated whole
      m().updateBatchNormStats(b.x, b.n);
      return info.Env().Undefined();
    });
  }
  Napi::Value ReferenceLossAndGrad(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      BatchArgs b = batch(info, true);
      auto out = f64(arg(info, 3), "result", 2);
      auto grad = f32(arg(info, 4), "grad", m().numParams());
      auto r = m().referenceLossAndGrad(b.x, b.y, b.n, grad.Data());
      out[0] = r.loss;
      out[1] = static_cast<double>(r.correct);
      return info.Env().Undefined();
    });
  }
  Napi::Value Seed(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      m().seed(static_cast<uint64_t>(integer(arg(info, 0), "seed")));
      return info.Env().Undefined();
    });
  }
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      if (model_) model_->dispose();
      model_.reset();
      syncMemory(info.Env());
      return info.Env().Undefined();
    });
  }

  std::unique_ptr<deeprelax::Model> model_;
  int64_t reported_ = 0;
};

Napi::Value Info(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("torchVersion", deeprelax::torchVersion());
    o.Set("cuda", deeprelax::cudaAvailable());
    o.Set("cudaDevices", deeprelax::cudaDeviceCount());
    o.Set("dnnl", deeprelax::dnnlAvailable());
    o.Set("threads", deeprelax::getThreads());
    o.Set("interopThreads", deeprelax::getInteropThreads());
    return o;
  });
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    const int64_t n = integer(arg(info, 0), "threads");
    if (n < 1 || n > 4096) bad("threads must be in [1, 4096]");
    deeprelax::setThreads(static_cast<int>(n));
    return info.Env().Undefined();
  });
}

Napi::Value SetInteropThreads(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    const int64_t n = integer(arg(info, 0), "interop threads");
    if (n < 1 || n > 4096) bad("interop threads must be in [1, 4096]");
    return Napi::Boolean::New(info.Env(), deeprelax::setInteropThreads(static_cast<int>(n)));
  });
}

Napi::Object CacheStats(Napi::Env env) {
  const deeprelax::CpuCacheStats s = deeprelax::cpuCacheStats();
  Napi::Object o = Napi::Object::New(env);
  o.Set("hits", static_cast<double>(s.hits));
  o.Set("misses", static_cast<double>(s.misses));
  o.Set("cachedBytes", static_cast<double>(s.cachedBytes));
  o.Set("limitBytes", static_cast<double>(s.limitBytes));
  return o;
}

Napi::Value SetCpuCache(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    const int64_t bytes = integer(arg(info, 0), "cpu cache limit");
    if (bytes < 0 || bytes > (int64_t{1} << 50)) bad("cpu cache limit must be in [0, 2^50] bytes");
    deeprelax::installCpuCache(static_cast<uint64_t>(bytes));
    return CacheStats(info.Env());
  });
}

Napi::Value CpuCacheStats(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value { return CacheStats(info.Env()); });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // The caching CPU allocator is on from the start (512 MiB of free blocks); createTorchEngine sets
  // the configured limit.
  deeprelax::ensureCpuCache(uint64_t{512} << 20);
  exports.Set("NativeModel", NativeModel::Define(env));
  exports.Set("info", Napi::Function::New<Info>(env, "info"));
  exports.Set("setThreads", Napi::Function::New<SetThreads>(env, "setThreads"));
  exports.Set("setInteropThreads", Napi::Function::New<SetInteropThreads>(env, "setInteropThreads"));
  exports.Set("setCpuCache", Napi::Function::New<SetCpuCache>(env, "setCpuCache"));
  exports.Set("cpuCacheStats", Napi::Function::New<CpuCacheStats>(env, "cpuCacheStats"));
  return exports;
}

}  // namespace

NODE_API_MODULE(deeprelax_torch, Init)
