// Linear layer y = x W^T with W in torch's [out, in] layout.
//
// tfjs differentiates matMul(x, W, false, true) into matMuls with transposed operands, and the wasm
// backend runs every transposed matMul about 10x slower than a plain one (XNNPACK is only used for
// the plain case). The portable form below uses plain matMuls and explicit transposes of the small
// operands only: y = x . transpose(W); dx = dy . W; dW = transpose(dy) . x (already [out, in]).
// dx is skipped for a layer whose input does not depend on the parameters (the first layer).
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

export type LinearFn = (x: Tensor2D, w: Tensor2D) => Tensor2D;

export function makeLinear(tf: Tf, plainMatMuls: boolean, needInputGrad: boolean): LinearFn {
  if (!plainMatMuls) return (x, w) => tf.matMul(x, w, false, true);
  if (needInputGrad) {
    const f = tf.customGrad((...args: unknown[]) => {
      const [x, w, save] = args as [Tensor2D, Tensor2D, (t: Tensor[]) => void];
      save([x, w]);
      return {
        value: tf.matMul(x, tf.transpose(w)),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xs, ws] = saved as [Tensor2D, Tensor2D];
          const dy2 = dy as Tensor2D;
          return [tf.matMul(dy2, ws), tf.matMul(tf.transpose(dy2), xs)];
        },
      };
    });
    return (x, w) => f(x, w) as Tensor2D;
  }
  return (x, w) => {
    const f = tf.customGrad((...args: unknown[]) => {
      const [wi, save] = args as [Tensor2D, (t: Tensor[]) => void];
      save([x]);
      return {
        value: tf.matMul(x, tf.transpose(wi)),
        gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.matMul(tf.transpose(dy as Tensor2D), saved[0] as Tensor2D)],
      };
    });
    return f(w) as Tensor2D;
  };
}
