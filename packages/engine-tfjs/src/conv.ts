// 2-d convolution (NHWC input, HWIO filter, 'valid' padding: callers pad explicitly).
//
// tfjs differentiates conv2d through the Conv2DBackpropFilter kernel, which the wasm backend does
// not implement and the pure-JS cpu backend implements as a scalar loop (~10x slower than its own
// forward convolution). On those backends the filter gradient is computed as a forward convolution
// instead: dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh, ow*s+kw, ci] * dy[n,oh,ow,co], i.e. x with
// batch and channels swapped ([ci,H,W,n]) convolved with dy as a filter ([oh,ow,n,co]) dilated by
// the stride, cropped to the kernel size. The input gradient is conv2dTranspose (as in tfjs) for
// strided convs, and for stride 1 a forward conv of the zero-padded dy with the flipped filter
// (Conv2DBackpropInput is ~5x slower than Conv2D on wasm). It is skipped for a layer whose input
// does not depend on the parameters (the first conv).
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

export type Conv2dFn = (x: Tensor4D, w: Tensor4D) => Tensor4D;

export interface ConvOptions {
  /** Filter gradient by forward convolution instead of Conv2DBackpropFilter. */
  filterGradByConv: boolean;
  /** Stride-1 input gradient by forward convolution instead of Conv2DBackpropInput. */
  inputGradByConv: boolean;
  /** The layer's input depends on the parameters (false for the first conv: no input gradient). */
  needInputGrad: boolean;
}

export function makeConv2d(tf: Tf, stride: number, o: ConvOptions): Conv2dFn {
  const { filterGradByConv, needInputGrad } = o;
  if (!filterGradByConv) return (x, w) => tf.conv2d(x, w, stride, 'valid');
  const filterGrad = (x: Tensor4D, dy: Tensor4D, kh: number, kw: number): Tensor => {
    const xT = tf.transpose(x, [3, 1, 2, 0]) as Tensor4D; // [ci, H, W, n]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D; // [oh, ow, n, co]
    const full = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', stride); // [ci, kh', kw', co], kh' >= kh
    const cropped = full.shape[1] === kh && full.shape[2] === kw ? full : tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]); // [kh, kw, ci, co]
  };
  const inputGrad = (dy: Tensor4D, w: Tensor4D, xShape: [number, number, number, number]): Tensor => {
    if (stride !== 1 || !o.inputGradByConv) return tf.conv2dTranspose(dy, w, xShape, stride, 'valid');
    // Stride 1: a full correlation of dy with the flipped filter, as one fast forward conv.
    const k1 = w.shape[0] - 1;
    const k2 = w.shape[1] - 1;
    const dyp = tf.pad(dy, [[0, 0], [k1, k1], [k2, k2], [0, 0]]);
    const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as Tensor4D; // [kh, kw, co, ci]
    return tf.conv2d(dyp as Tensor4D, wf, 1, 'valid');
  };
  if (needInputGrad) {
    const f = tf.customGrad((...args: unknown[]) => {
      const [x, w, save] = args as [Tensor4D, Tensor4D, (t: Tensor[]) => void];
      save([x, w]);
      return {
        value: tf.conv2d(x, w, stride, 'valid'),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xs, ws] = saved as [Tensor4D, Tensor4D];
          const dx = inputGrad(dy as Tensor4D, ws, xs.shape);
          return [dx, filterGrad(xs, dy as Tensor4D, ws.shape[0], ws.shape[1])];
        },
      };
    });
    return (x, w) => f(x, w) as Tensor4D;
  }
  // The input is data: differentiate w.r.t. the filter only (x is saved, not an input).
  return (x, w) => {
    const f = tf.customGrad((...args: unknown[]) => {
      const [wi, save] = args as [Tensor4D, (t: Tensor[]) => void];
      save([x, wi]);
      return {
        value: tf.conv2d(x, wi, stride, 'valid'),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xs, ws] = saved as [Tensor4D, Tensor4D];
          return [filterGrad(xs, dy as Tensor4D, ws.shape[0], ws.shape[1])];
        },
      };
    });
    return f(w) as Tensor4D;
  };
}
