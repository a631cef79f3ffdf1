// Max pooling (NHWC, 'valid', floor mode). tfjs's MaxPoolGrad kernel is slow on the wasm and cpu
// backends (~50 ms and ~750 ms for LeNet's first pool at batch 128); there the pass that is being
// differentiated finds the argmax of every window with maxPoolWithArgmax and the gradient scatters
// dy to those positions (scatterND sums duplicates, so overlapping windows work): 2.5-3x faster.
// Forward values always come from the plain maxPool kernel.
//
// tfjs-backend-wasm 4.22's MaxPoolWithArgmax starts each window's max at FLT_MIN instead of -inf, so
// a window of values <= 0 reports index 0. Where that bug is detected (argmaxNeedsShift) the argmax
// is taken of x - min(x) + 1e-30 (all values positive, same order up to float32 rounding).
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

export type PoolFn = (x: Tensor4D, differentiating: boolean) => Tensor4D;

export function makeMaxPool(
  tf: Tf,
  kernel: number,
  stride: number,
  gradByScatter: boolean,
  argmaxNeedsShift: boolean,
): PoolFn {
  const plain = (x: Tensor4D) => tf.maxPool(x, kernel, stride, 'valid');
  if (!gradByScatter) return plain;
  const f = tf.customGrad((...args: unknown[]) => {
    const [x, save] = args as [Tensor4D, (t: Tensor[]) => void];
    const probe = argmaxNeedsShift ? (tf.add(tf.sub(x, tf.min(x)), 1e-30) as Tensor4D) : x;
    const { indexes } = tf.maxPoolWithArgmax(probe, kernel, stride, 'valid', true);
    save([indexes]);
    const shape = x.shape;
    const size = x.size;
    return {
      value: plain(x),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.reshape(tf.scatterND(tf.reshape(saved[0], [-1, 1]), tf.reshape(dy, [-1]), [size]), shape),
    };
  });
  return (x, differentiating) => (differentiating ? (f(x) as Tensor4D) : plain(x));
}

/** True when this backend's MaxPoolWithArgmax mis-reports windows of non-positive values. */
export function argmaxPoolIsBuggy(tf: Tf): boolean {
  return tf.tidy(() => {
    const x = tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1]);
    const { indexes } = tf.maxPoolWithArgmax(x, 2, 2, 'valid', true);
    return indexes.dataSync()[0] !== 1;
  });
}
