// A float64 reference forward pass with PyTorch semantics, written as plain loops over the flat
// torch layout of spec.ts. It is the oracle for the layout (what each flat index means), for the
// forward maths of every layer kind, for the batch-norm running-statistics update and, by central
// differences in float64, for gradients. It is slow and only meant for the tiny test networks.
//
// Semantics (torch.nn): Linear y = x W^T + b; Conv2d cross-correlation with zero padding; BatchNorm
// in train mode normalises with the biased batch variance and updates running_mean/var with momentum
// m (running = (1 - m) running + m batch, the variance unbiased: n/(n-1)); in eval mode it uses the
// running statistics; MaxPool2d/AvgPool2d without padding, floor mode (avg divides by k*k); Dropout
// is the identity (eval mode, or the dropout-off pass of updateBatchNormStats); Flatten keeps CHW
// order. Loss: mean over the batch of logsumexp(logits) - logits[y]; correct: first argmax == y.
import { DEFAULT_BN_EPS, DEFAULT_BN_MOMENTUM, layoutOf, type ModelSpec } from '../spec.js';

export interface ReferenceResult {
  loss: number;
  correct: number;
  /** Per-sample losses. */
  losses: Float64Array;
  logits: Float64Array;
  /** Running statistics after the pass (updated in train mode, unchanged in eval mode). */
  buffers: Float64Array;
}

export interface ReferenceOptions {
  mode: 'train' | 'eval';
  /** Train mode only: run dropout as identity (else a train-mode dropout with p > 0 throws). */
  dropoutOff?: boolean;
}

export function referenceForward(
  spec: ModelSpec,
  params: ArrayLike<number>,
  buffersIn: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  options: ReferenceOptions,
): ReferenceResult {
  const layout = layoutOf(spec);
  const train = options.mode === 'train';
  const buffers = Float64Array.from(buffersIn);
  const slot = (layer: number, name: string) => {
    const s = layout.params.find((p) => p.layer === layer && p.name === name);
    return s ? s.offset : -1;
  };
  const bufSlot = (layer: number, name: string) => layout.buffers.find((b) => b.layer === layer && b.name === name)!.offset;

  let shape = [...spec.inputShape];
  let a = Float64Array.from(x);
  spec.layers.forEach((l, li) => {
    const size = shape.reduce((p, c) => p * c, 1);
    switch (l.kind) {
      case 'linear': {
        const w = slot(li, 'weight');
        const b = slot(li, 'bias');
        const out = new Float64Array(n * l.outFeatures);
        for (let s = 0; s < n; s++) {
          for (let o = 0; o < l.outFeatures; o++) {
            let acc = b >= 0 ? params[b + o] : 0;
            for (let i = 0; i < l.inFeatures; i++) acc += params[w + o * l.inFeatures + i] * a[s * size + i];
            out[s * l.outFeatures + o] = acc;
          }
        }
        a = out;
        shape = [l.outFeatures];
        break;
      }
      case 'conv2d': {
        const [C, H, W] = shape;
        const k = l.kernel;
        const st = l.stride ?? 1;
        const pad = l.padding ?? 0;
        const OH = Math.floor((H + 2 * pad - k) / st) + 1;
        const OW = Math.floor((W + 2 * pad - k) / st) + 1;
        const O = l.outChannels;
        const w = slot(li, 'weight');
        const b = slot(li, 'bias');
        const out = new Float64Array(n * O * OH * OW);
        for (let s = 0; s < n; s++) {
          for (let o = 0; o < O; o++) {
            for (let oy = 0; oy < OH; oy++) {
              for (let ox = 0; ox < OW; ox++) {
                let acc = b >= 0 ? params[b + o] : 0;
                for (let c = 0; c < C; c++) {
                  for (let ky = 0; ky < k; ky++) {
                    const iy = oy * st + ky - pad;
                    if (iy < 0 || iy >= H) continue;
                    for (let kx = 0; kx < k; kx++) {
                      const ix = ox * st + kx - pad;
                      if (ix < 0 || ix >= W) continue;
                      acc += params[w + ((o * C + c) * k + ky) * k + kx] * a[s * size + (c * H + iy) * W + ix];
                    }
                  }
                }
                out[((s * O + o) * OH + oy) * OW + ox] = acc;
              }
            }
          }
        }
        a = out;
        shape = [O, OH, OW];
        break;
      }
      case 'batchnorm1d':
      case 'batchnorm2d': {
        const C = l.features;
        const inner = l.kind === 'batchnorm1d' ? 1 : shape[1] * shape[2];
        const eps = l.eps ?? DEFAULT_BN_EPS;
        const mom = l.momentum ?? DEFAULT_BN_MOMENTUM;
        const g = slot(li, 'weight');
        const bt = slot(li, 'bias');
        const rm = bufSlot(li, 'runningMean');
        const rv = bufSlot(li, 'runningVar');
        const out = new Float64Array(a.length);
        const count = n * inner;
        for (let c = 0; c < C; c++) {
          let mean: number;
          let variance: number;
          if (train) {
            let sum = 0;
            for (let s = 0; s < n; s++) for (let j = 0; j < inner; j++) sum += a[s * size + c * inner + j];
            mean = sum / count;
            let sq = 0;
            for (let s = 0; s < n; s++) {
              for (let j = 0; j < inner; j++) {
                const d = a[s * size + c * inner + j] - mean;
                sq += d * d;
              }
            }
            variance = sq / count;
            buffers[rm + c] = (1 - mom) * buffers[rm + c] + mom * mean;
            buffers[rv + c] = (1 - mom) * buffers[rv + c] + mom * (sq / (count - 1));
          } else {
            mean = buffers[rm + c];
            variance = buffers[rv + c];
          }
          const inv = 1 / Math.sqrt(variance + eps);
          for (let s = 0; s < n; s++) {
            for (let j = 0; j < inner; j++) {
              const i = s * size + c * inner + j;
              out[i] = (a[i] - mean) * inv * params[g + c] + params[bt + c];
            }
          }
        }
        a = out;
        break;
      }
      case 'relu':
        a = a.map((v) => (v > 0 ? v : 0));
        break;
      case 'dropout':
        if (train && !options.dropoutOff && l.p > 0) {
          throw new Error('referenceForward: train-mode dropout is random; use eval mode or dropoutOff');
        }
        break;
      case 'maxpool2d':
      case 'avgpool2d': {
        const [C, H, W] = shape;
        const k = l.kernel;
        const st = l.stride ?? k;
        const OH = Math.floor((H - k) / st) + 1;
        const OW = Math.floor((W - k) / st) + 1;
        const out = new Float64Array(n * C * OH * OW);
        for (let s = 0; s < n; s++) {
          for (let c = 0; c < C; c++) {
            for (let oy = 0; oy < OH; oy++) {
              for (let ox = 0; ox < OW; ox++) {
                let acc = l.kind === 'maxpool2d' ? -Infinity : 0;
                for (let ky = 0; ky < k; ky++) {
                  for (let kx = 0; kx < k; kx++) {
                    const v = a[s * size + (c * H + oy * st + ky) * W + ox * st + kx];
                    acc = l.kind === 'maxpool2d' ? Math.max(acc, v) : acc + v;
                  }
                }
                out[((s * C + c) * OH + oy) * OW + ox] = l.kind === 'maxpool2d' ? acc : acc / (k * k);
              }
            }
          }
        }
        a = out;
        shape = [C, OH, OW];
        break;
      }
      case 'flatten':
        shape = [size];
        break;
    }
  });

  const K = spec.numClasses;
  const losses = new Float64Array(n);
  let correct = 0;
  for (let s = 0; s < n; s++) {
    let max = -Infinity;
    let arg = 0;
    for (let k = 0; k < K; k++) {
      if (a[s * K + k] > max) {
        max = a[s * K + k];
        arg = k;
      }
    }
    let se = 0;
    for (let k = 0; k < K; k++) se += Math.exp(a[s * K + k] - max);
    losses[s] = max + Math.log(se) - a[s * K + y[s]];
    if (arg === y[s]) correct++;
  }
  const loss = losses.reduce((p, c) => p + c, 0) / n;
  return { loss, correct, losses, logits: a, buffers };
}

/** Gradient of the reference loss w.r.t. the flat parameters by central differences in float64. */
export function referenceGradient(
  spec: ModelSpec,
  params: ArrayLike<number>,
  buffers: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  options: ReferenceOptions,
  h = 1e-6,
): Float64Array {
  const p = Float64Array.from(params);
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    p[i] = v + h;
    const up = referenceForward(spec, p, buffers, x, y, n, options).loss;
    p[i] = v - h;
    const down = referenceForward(spec, p, buffers, x, y, n, options).loss;
    p[i] = v;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
