// Test oracle: the model's loss and flat gradient computed by libtorch's autograd from the
// functional ops (at::linear, at::conv2d, at::batch_norm, ...), with the same dropout masks as
// the hand-written backward in model.cc. Running statistics are not touched (clones are used).
#include <torch/csrc/autograd/autograd.h>

#include "model.h"

namespace deeprelax {

BatchResult Model::referenceLossAndGrad(const float* x, const int32_t* y, int64_t n, float* gradOut) {
  at::Tensor h = inputTensor(x, n);
  checkLabels(y, n);
  checkBatchNormBatch(n, train_);
  c10::AutoGradMode enable(true);
  at::Tensor flat = params_.detach().clone();
  flat.requires_grad_(true);
  std::vector<at::Tensor> p;
  for (const at::Tensor& v : paramViews_) {
    const int64_t off = (static_cast<const char*>(v.data_ptr()) - static_cast<const char*>(params_.data_ptr())) /
                        static_cast<int64_t>(sizeof(float));
    p.push_back(flat.narrow(0, off, v.numel()).view(v.sizes()));
  }
  for (const Layer& L : layers_) {
    const LayerDesc& d = L.d;
    switch (d.kind) {
      case LayerKind::Linear:
        h = at::linear(h, p[L.wSlot], L.bSlot >= 0 ? c10::optional<at::Tensor>(p[L.bSlot]) : c10::nullopt);
        break;
      case LayerKind::Conv2d:
        h = at::conv2d(h, p[L.wSlot], L.bSlot >= 0 ? c10::optional<at::Tensor>(p[L.bSlot]) : c10::nullopt,
                       {d.stride, d.stride}, {d.padding, d.padding});
        break;
      case LayerKind::BatchNorm1d:
      case LayerKind::BatchNorm2d:
        h = at::batch_norm(h, p[L.wSlot], p[L.bSlot], bufferViews_[L.meanSlot].clone(),
                           bufferViews_[L.varSlot].clone(), train_, d.momentum, d.eps, false);
        break;
      case LayerKind::ReLU:
        h = at::relu(h);
        break;
      case LayerKind::Dropout:
        if (train_ && d.p > 0) h = h * dropoutMask(nextKey(), h, d.p);
        break;
      case LayerKind::MaxPool2d:
        h = at::max_pool2d(h, {d.kernel, d.kernel}, {d.stride, d.stride});
        break;
      case LayerKind::AvgPool2d:
        h = at::avg_pool2d(h, {d.kernel, d.kernel}, {d.stride, d.stride});
        break;
      case LayerKind::Flatten:
        h = h.reshape({n, -1});
        break;
    }
  }
  at::Tensor yt = at::from_blob(const_cast<int32_t*>(y), {n}, at::kInt).to(h.device(), at::kLong);
  at::Tensor loss = at::nll_loss(at::log_softmax(h, 1), yt);
  const int64_t correct = h.argmax(1).eq(yt).sum().item<int64_t>();
  if (numParams_ > 0) {
    at::Tensor g = torch::autograd::grad({loss}, {flat})[0];
    at::from_blob(gradOut, {numParams_}, at::kFloat).copy_(g);
  }
  return {loss.item<double>(), correct};
}

}  // namespace deeprelax
