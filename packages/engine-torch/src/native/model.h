// The torch engine's model: a network built from a ModelSpec over libtorch's ATen operators, with
// every parameter a view into ONE contiguous float32 tensor (and every gradient a view into another),
// so that each whole-vector operation is a single kernel over a flat tensor.
//
// Forward and backward are written out per layer (no autograd graph): the gradient of each weight
// is computed straight into its view of the flat gradient. On the CPU the dense products go to
// oneDNN's sgemm when libtorch is linked against it (Debian's build uses the reference BLAS for
// at::mm, which is ~50x slower), and a few elementwise kernels (relu, dropout, max-pool, softmax
// cross-entropy) are fused loops. Everything else, and every op on CUDA, is a plain ATen call
// (`Kernels::Aten` forces that path on the CPU too, which is how the CUDA code path is tested).
//
// This header has no Node dependencies; addon.cc is the only file that sees N-API.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace deeprelax {

/** Bad input from the caller (wrong size, bad handle, ...): becomes a JS EngineError. */
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class LayerKind { Linear, Conv2d, BatchNorm1d, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, Dropout, Flatten };

struct LayerDesc {
  LayerKind kind = LayerKind::Flatten;
  int64_t in = 0;   // linear: inFeatures; conv: inChannels; batchnorm: features
  int64_t out = 0;  // linear: outFeatures; conv: outChannels
  int64_t kernel = 0, stride = 1, padding = 0;
  bool bias = true;
  double eps = 1e-5, momentum = 0.1;
  double p = 0;  // dropout probability
};

enum class Kernels { Fast, Aten };

struct ModelConfig {
  std::vector<int64_t> inputShape;  // without the batch dimension
  int64_t numClasses = 0;
  std::vector<LayerDesc> layers;
  uint64_t seed = 0;
  std::string device = "cpu";  // "cpu" | "cuda" | "auto"
  Kernels kernels = Kernels::Fast;
};

struct BatchResult {
  double loss;
  int64_t correct;
};

class Model {
 public:
  explicit Model(const ModelConfig& cfg);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  int64_t numParams() const { return numParams_; }
  int64_t numBuffers() const { return numBuffers_; }
  int64_t inputSize() const { return inputSize_; }
  int64_t numClasses() const { return cfg_.numClasses; }
  std::string describe() const;
  bool usesDnnl() const { return sgemm_ != nullptr; }
  bool isCuda() const { return device_.is_cuda(); }
  int64_t bytesHeld() const;

  // --- vectors: 0 = params, 1 = grad, others from newVec ---
  int64_t newVec(int64_t from);  // from < 0: zero-filled
  void freeVec(int64_t id);
  void copy(int64_t dst, int64_t src);
  void fill(int64_t dst, double v);
  void scale(int64_t dst, double a);
  void axpy(int64_t dst, double alpha, int64_t x);
  void axpby(int64_t dst, double a, double b, int64_t x);
  void addNoise(int64_t dst, double std);
  double dot(int64_t a, int64_t b);
  double norm(int64_t a);
  bool allFinite(int64_t a);
  void read(int64_t id, float* out);
  void write(int64_t id, const float* in);

  void readBuffers(float* out);
  void writeBuffers(const float* in);
  void resetBuffers();

  // --- training ---
  void setTrain(bool train) { train_ = train; }
  bool train() const { return train_; }
  BatchResult lossAndGrad(const float* x, const int32_t* y, int64_t n);
  BatchResult evaluate(const float* x, const int32_t* y, int64_t n);
  void updateBatchNormStats(const float* x, int64_t n);
  void seed(uint64_t s);

  /** Test oracle: the same loss and gradient through libtorch's autograd (reference.cc). */
  BatchResult referenceLossAndGrad(const float* x, const int32_t* y, int64_t n, float* gradOut);

  void dispose();
  bool disposed() const { return disposed_; }

  /** Validates a batch's labels; throws UsageError naming the first bad one. */
  void checkLabels(const int32_t* y, int64_t n) const;

 private:
  struct Layer {
    LayerDesc d;
    int wSlot = -1, bSlot = -1;          // indices into paramViews_/gradViews_
    int meanSlot = -1, varSlot = -1;     // indices into bufferViews_
    // saved by a forward pass that a backward pass follows
    at::Tensor in, out, aux, saveMean, saveInvstd;
    std::vector<int64_t> inShape;
    bool bnTrained = false;  // batch-norm: whether the saved forward used batch statistics
  };
  struct Flags {
    bool dropout;  // apply dropout masks
    bool bnTrain;  // batch-norm uses (and updates) batch statistics
    bool save;     // keep what backward needs
  };

  at::Tensor& vec(int64_t id, const char* what);
  at::Tensor inputTensor(const float* x, int64_t n);
  at::Tensor forward(const at::Tensor& x, Flags f);
  void backward(at::Tensor g);
  BatchResult lossAndLogitGrad(const at::Tensor& logits, const int32_t* y, int64_t n, at::Tensor* grad);
  bool fast() const { return cfg_.kernels == Kernels::Fast && device_.is_cpu(); }
  uint64_t nextKey();
  at::Tensor dropoutMask(uint64_t key, const at::Tensor& like, double p);
  void sgemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
             const float* b, int64_t ldb, float beta, float* c, int64_t ldc) const;
  void releaseSaved();
  void checkBatchNormBatch(int64_t n, bool bnTrain) const;

  using SgemmFn = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t,
                          const float*, int64_t, float, float*, int64_t);

  ModelConfig cfg_;
  at::Device device_;
  at::TensorOptions opts_;
  int64_t numParams_ = 0, numBuffers_ = 0, inputSize_ = 0;
  int firstParamLayer_ = -1;
  int64_t bnCountPerSample_ = 0;  // smallest values per channel per sample over batch-norm layers (0: none)
  std::vector<Layer> layers_;
  at::Tensor params_, grad_, buffers_, initialBuffers_, scratch_;
  std::vector<at::Tensor> paramViews_, gradViews_, bufferViews_;
  std::unordered_map<int64_t, at::Tensor> vecs_;
  int64_t nextId_ = 2;
  at::Generator gen_;
  bool train_ = true;
  bool disposed_ = false;
  SgemmFn sgemm_ = nullptr;


 public:
  /** Loads initial weights/buffers (numParams()/numBuffers() floats each; null: keep zeros/defaults). */
  void load(const float* params, const float* buffers);
};

/** libtorch's version, e.g. "1.13.0". */
std::string torchVersion();
bool cudaAvailable();
int cudaDeviceCount();
bool dnnlAvailable();
void setThreads(int n);
bool setInteropThreads(int n);
int getThreads();
int getInteropThreads();

}  // namespace deeprelax
