// A ModelSpec compiled into a forward function over ONE flat parameter tensor in the torch layout
// (spec.ts). Inputs arrive NCHW; convolution, pooling and 2-d batch norm run in tfjs's NHWC, with
// weights transposed from [out,in,kh,kw] to HWIO inside the differentiated function, so gradients come
// back in the flat torch layout. Activations switch layout lazily: an MLP over images never transposes.
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import {
  DEFAULT_BN_EPS,
  DEFAULT_BN_MOMENTUM,
  type LayerSpec,
  type ModelSpec,
  type ParamLayout,
} from '@deeprelax/core';
import type { Tf } from './backend.js';
import { makeConv2d, type Conv2dFn } from './conv.js';
import { makeLinear, type LinearFn } from './linear.js';
import { makeMaxPool, type PoolFn } from './pool.js';

/** 'nchw' and 'nhwc' are rank-4 image batches; 'plain' is any other rank in torch order. */
type Layout = 'nchw' | 'nhwc' | 'plain';

interface Act {
  t: Tensor;
  layout: Layout;
}

type Compiled =
  | { kind: 'linear'; w: number; b: number; out: number; inF: number; linear: LinearFn }
  | { kind: 'conv2d'; w: number; b: number; shape: [number, number, number, number]; pad: number; conv: Conv2dFn }
  | { kind: 'batchnorm'; rank: 1 | 2; w: number; b: number; mean: number; var: number; eps: number; momentum: number }
  | { kind: 'relu' }
  | { kind: 'maxpool2d'; pool: PoolFn }
  | { kind: 'avgpool2d'; kernel: number; stride: number }
  | { kind: 'dropout'; p: number }
  | { kind: 'flatten' };

/** How some layers are differentiated; chosen per backend by the engine (see conv.ts, linear.ts). */
export interface KernelChoices {
  convFilterGradByConv: boolean;
  convInputGradByConv: boolean;
  plainMatMuls: boolean;
  maxPoolGradByScatter: boolean;
  /** The backend's MaxPoolWithArgmax needs positive inputs (pool.ts). */
  argmaxNeedsShift: boolean;
}

export interface ForwardContext {
  /** Train-mode semantics: batch statistics for batch norm, dropout when `dropout` is true. */
  train: boolean;
  dropout: boolean;
  /** The flat running-statistics tensor (null when the model has no batch norm). */
  buffers: Tensor1D | null;
  /** Seed source for dropout masks (one draw per active dropout layer per forward pass). */
  nextSeed: () => number;
  /** True inside tf.grad (layers may then pick a differentiable form that is slower forward). */
  differentiating?: boolean;
  /** Stop after this layer (exclusive end index); default all layers. */
  end?: number;
  /**
   * Train mode with batch norm: receives, per buffer slot in layout order, the updated running
   * statistic. The caller concatenates them into the new buffer vector.
   */
  newBuffers?: Tensor[];
}

export class Network {
  readonly layers: Compiled[];
  /** Index one past the last batch-norm layer (0 when there is none). */
  readonly bnEnd: number;
  private readonly paramSizes: number[];
  private readonly paramShapes: number[][];
  private readonly bufferSizes: number[];

  constructor(
    private readonly tf: Tf,
    readonly spec: ModelSpec,
    readonly layout: ParamLayout,
    kernels: KernelChoices,
  ) {
    this.paramSizes = layout.params.map((s) => s.size);
    this.paramShapes = layout.params.map((s) => s.shape);
    this.bufferSizes = layout.buffers.map((s) => s.size);
    let pi = 0;
    let bi = 0;
    let bnEnd = 0;
    // A layer needs the gradient w.r.t. its input only when some earlier layer has parameters.
    let paramsBefore = false;
    this.layers = spec.layers.map((l: LayerSpec, i): Compiled => {
      switch (l.kind) {
        case 'linear': {
          const w = pi++;
          const b = l.bias !== false ? pi++ : -1;
          const linear = makeLinear(tf, kernels.plainMatMuls, paramsBefore);
          paramsBefore = true;
          return { kind: 'linear', w, b, out: l.outFeatures, inF: l.inFeatures, linear };
        }
        case 'conv2d': {
          const w = pi++;
          const b = l.bias !== false ? pi++ : -1;
          const conv = makeConv2d(tf, l.stride ?? 1, {
            filterGradByConv: kernels.convFilterGradByConv,
            inputGradByConv: kernels.convInputGradByConv,
            needInputGrad: paramsBefore,
          });
          paramsBefore = true;
          return {
            kind: 'conv2d',
            w,
            b,
            shape: [l.outChannels, l.inChannels, l.kernel, l.kernel],
            pad: l.padding ?? 0,
            conv,
          };
        }
        case 'batchnorm1d':
        case 'batchnorm2d': {
          const w = pi++;
          const b = pi++;
          const mean = bi++;
          const v = bi++;
          bnEnd = i + 1;
          paramsBefore = true;
          return {
            kind: 'batchnorm',
            rank: l.kind === 'batchnorm1d' ? 1 : 2,
            w,
            b,
            mean,
            var: v,
            eps: l.eps ?? DEFAULT_BN_EPS,
            momentum: l.momentum ?? DEFAULT_BN_MOMENTUM,
          };
        }
        case 'relu':
          return { kind: 'relu' };
        case 'maxpool2d':
          return { kind: 'maxpool2d', pool: makeMaxPool(tf, l.kernel, l.stride ?? l.kernel, kernels.maxPoolGradByScatter, kernels.argmaxNeedsShift) };
        case 'avgpool2d':
          return { kind: 'avgpool2d', kernel: l.kernel, stride: l.stride ?? l.kernel };
        case 'dropout':
          return { kind: 'dropout', p: l.p };
        case 'flatten':
          return { kind: 'flatten' };
      }
    });
    this.bnEnd = bnEnd;
  }

  /** Input batch (NCHW floats, n samples) as a tensor in its natural torch layout. */
  input(x: Float32Array, n: number): Act {
    const shape = [n, ...this.spec.inputShape];
    return { t: this.tf.tensor(x, shape, 'float32'), layout: shape.length === 4 ? 'nchw' : 'plain' };
  }

  /** Forward pass to logits [n, numClasses] (or to layer ctx.end). Call inside tidy/grad. */
  forward(flat: Tensor1D, x: Act, ctx: ForwardContext): Tensor {
    const tf = this.tf;
    const params = this.paramSizes.length > 0 ? tf.split(flat, this.paramSizes) : [];
    const buffers = ctx.buffers && this.bufferSizes.length > 0 ? tf.split(ctx.buffers, this.bufferSizes) : [];
    const end = ctx.end ?? this.layers.length;
    const p = (i: number): Tensor => params[i].reshape(this.paramShapes[i]);
    let a = x;
    for (let i = 0; i < end; i++) {
      const l = this.layers[i];
      switch (l.kind) {
        case 'linear': {
          let y: Tensor = l.linear(a.t as Tensor2D, p(l.w) as Tensor2D);
          if (l.b >= 0) y = tf.add(y, params[l.b]);
          a = { t: y, layout: 'plain' };
          break;
        }
        case 'conv2d': {
          let h = toNHWC(tf, a) as Tensor4D;
          if (l.pad > 0) h = tf.pad(h, [[0, 0], [l.pad, l.pad], [l.pad, l.pad], [0, 0]]);
          const w = permute(tf, p(l.w), [2, 3, 1, 0]) as Tensor4D;
          let y: Tensor = l.conv(h, w);
          if (l.b >= 0) y = tf.add(y, params[l.b]);
          a = { t: y, layout: 'nhwc' };
          break;
        }
        case 'batchnorm': {
          const h = l.rank === 1 ? a.t : toNHWC(tf, a);
          const axes = l.rank === 1 ? [0] : [0, 1, 2];
          let mean: Tensor;
          let variance: Tensor;
          if (ctx.train) {
            const m = tf.moments(h, axes);
            mean = m.mean;
            variance = m.variance;
            if (ctx.newBuffers) {
              const count = h.size / h.shape[h.rank - 1];
              const mom = l.momentum;
              const unbiased = count > 1 ? count / (count - 1) : 1;
              const rm = buffers[l.mean];
              const rv = buffers[l.var];
              ctx.newBuffers[l.mean] = tf.add(tf.mul(rm, 1 - mom), tf.mul(mean, mom));
              ctx.newBuffers[l.var] = tf.add(tf.mul(rv, 1 - mom), tf.mul(variance, mom * unbiased));
            }
          } else {
            mean = buffers[l.mean];
            variance = buffers[l.var];
          }
          // y = (h - mean) * gamma / sqrt(var + eps) + beta
          const scale = tf.mul(params[l.w], tf.rsqrt(tf.add(variance, l.eps)));
          const y = tf.add(tf.mul(tf.sub(h, mean), scale), params[l.b]);
          a = { t: y, layout: l.rank === 1 ? 'plain' : 'nhwc' };
          break;
        }
        case 'relu':
          a = { t: tf.relu(a.t), layout: a.layout };
          break;
        case 'maxpool2d':
          a = { t: l.pool(toNHWC(tf, a) as Tensor4D, ctx.differentiating ?? false), layout: 'nhwc' };
          break;
        case 'avgpool2d':
          a = { t: tf.avgPool(toNHWC(tf, a) as Tensor4D, l.kernel, l.stride, 'valid'), layout: 'nhwc' };
          break;
        case 'dropout': {
          if (ctx.train && ctx.dropout && l.p > 0) {
            const u = tf.randomUniform(a.t.shape, 0, 1, 'float32', ctx.nextSeed());
            // keep with probability 1 - p, scaled by 1 / (1 - p) (inverted dropout, as torch)
            const mask = tf.mul(tf.cast(tf.greaterEqual(u, l.p), 'float32'), 1 / (1 - l.p));
            a = { t: tf.mul(a.t, mask), layout: a.layout };
          }
          break;
        }
        case 'flatten': {
          const n = a.t.shape[0];
          const t = a.layout === 'nhwc' ? permute(tf, a.t, [0, 3, 1, 2]) : a.t;
          a = { t: tf.reshape(t, [n, -1]), layout: 'plain' };
          break;
        }
      }
    }
    return a.layout === 'nhwc' ? permute(tf, a.t, [0, 3, 1, 2]) : a.t;
  }
}

function toNHWC(tf: Tf, a: Act): Tensor {
  return a.layout === 'nchw' ? permute(tf, a.t, [0, 2, 3, 1]) : a.t;
}

/** transpose, or a free reshape when the permutation only moves dimensions of size 1 (e.g. C = 1). */
function permute(tf: Tf, t: Tensor, perm: number[]): Tensor {
  const moved = perm.map((p) => t.shape[p]);
  const order = perm.filter((p) => t.shape[p] !== 1);
  const sorted = order.every((p, i) => i === 0 || order[i - 1] < p);
  return sorted ? tf.reshape(t, moved) : tf.transpose(t, perm);
}
