// The paper's networks (ALGORITHMS.md §3.2, layer orders from the DR authors' models.py) and small
// nets for tests, as declarative specs. Every engine builds these same specs.
import type { LayerSpec, ModelSpec } from '@deeprelax/core';

export interface ModelOptions {
  /** Override the dropout probability of hidden layers (LeNet's p, mnistfc's 0.2, All-CNN's 0.5). */
  dropout?: number;
  /** Override the input dropout (mnistfc 0.2, All-CNN 0.2). */
  inputDropout?: number;
}

/** mnistfc: 784-1024-1024-10 with BN and dropout 0.2 (DR order). 1,867,786 parameters. */
export function mnistfc(o: ModelOptions = {}): ModelSpec {
  const p = o.dropout ?? 0.2;
  return {
    name: 'mnistfc',
    inputShape: [1, 28, 28],
    numClasses: 10,
    layers: [
      { kind: 'flatten' },
      { kind: 'dropout', p: o.inputDropout ?? 0.2 },
      { kind: 'linear', inFeatures: 784, outFeatures: 1024 },
      { kind: 'relu' },
      { kind: 'batchnorm1d', features: 1024 },
      { kind: 'dropout', p },
      { kind: 'linear', inFeatures: 1024, outFeatures: 1024 },
      { kind: 'relu' },
      { kind: 'dropout', p },
      { kind: 'batchnorm1d', features: 1024 },
      { kind: 'linear', inFeatures: 1024, outFeatures: 10 },
    ],
  };
}

/** LeNet (DR / Parle variant, dropout 0.25): 131,220 parameters. */
export function lenet(o: ModelOptions = {}): ModelSpec {
  const p = o.dropout ?? 0.25;
  return {
    name: 'lenet',
    inputShape: [1, 28, 28],
    numClasses: 10,
    layers: [
      { kind: 'conv2d', inChannels: 1, outChannels: 20, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool2d', kernel: 3, stride: 3 },
      { kind: 'batchnorm2d', features: 20 },
      { kind: 'dropout', p },
      { kind: 'conv2d', inChannels: 20, outChannels: 50, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool2d', kernel: 2, stride: 2 },
      { kind: 'batchnorm2d', features: 50 },
      { kind: 'dropout', p },
      { kind: 'flatten' },
      { kind: 'linear', inFeatures: 200, outFeatures: 500 },
      { kind: 'relu' },
      { kind: 'dropout', p },
      { kind: 'linear', inFeatures: 500, outFeatures: 10 },
    ],
  };
}

function convBnRelu(ci: number, co: number, k: number, s: number): LayerSpec[] {
  return [
    { kind: 'conv2d', inChannels: ci, outChannels: co, kernel: k, stride: s, padding: k === 3 ? 1 : 0 },
    { kind: 'batchnorm2d', features: co },
    { kind: 'relu' },
  ];
}

/** All-CNN-C with BN as used by the DR code, for CIFAR-10: 1,667,166 parameters. */
export function allcnn(o: ModelOptions = {}): ModelSpec {
  const p = o.dropout ?? 0.5;
  return {
    name: 'allcnn',
    inputShape: [3, 32, 32],
    numClasses: 10,
    layers: [
      { kind: 'dropout', p: o.inputDropout ?? 0.2 },
      ...convBnRelu(3, 96, 3, 1),
      ...convBnRelu(96, 96, 3, 1),
      ...convBnRelu(96, 96, 3, 2),
      { kind: 'dropout', p },
      ...convBnRelu(96, 192, 3, 1),
      ...convBnRelu(192, 192, 3, 1),
      ...convBnRelu(192, 192, 3, 2),
      { kind: 'dropout', p },
      ...convBnRelu(192, 192, 3, 1),
      ...convBnRelu(192, 192, 3, 1),
      ...convBnRelu(192, 10, 1, 1),
      { kind: 'avgpool2d', kernel: 8 },
      { kind: 'flatten' },
    ],
  };
}

/** A plain multilayer perceptron, e.g. mlp([784, 128, 10]) for quick MNIST runs. */
export function mlp(widths: number[], inputShape: number[] = [widths[0]]): ModelSpec {
  if (widths.length < 2) throw new Error('mlp needs at least input and output widths');
  const layers: LayerSpec[] = [{ kind: 'flatten' }];
  for (let i = 0; i + 1 < widths.length; i++) {
    layers.push({ kind: 'linear', inFeatures: widths[i], outFeatures: widths[i + 1] });
    if (i + 2 < widths.length) layers.push({ kind: 'relu' });
  }
  return { name: `mlp-${widths.join('-')}`, inputShape, numClasses: widths[widths.length - 1], layers };
}

/** A tiny conv net on [C,H,W] inputs (every conv-path layer kind once), for fast engine tests. */
export function tinyconv(inputShape: number[] = [1, 28, 28], numClasses = 10): ModelSpec {
  const [c, h, w] = inputShape;
  const h1 = Math.floor((h - 3 + 2) / 2) + 1;
  const w1 = Math.floor((w - 3 + 2) / 2) + 1;
  const h2 = Math.floor(h1 / 2);
  const w2 = Math.floor(w1 / 2);
  return {
    name: 'tinyconv',
    inputShape,
    numClasses,
    layers: [
      { kind: 'conv2d', inChannels: c, outChannels: 8, kernel: 3, stride: 2, padding: 1 },
      { kind: 'batchnorm2d', features: 8 },
      { kind: 'relu' },
      { kind: 'maxpool2d', kernel: 2 },
      { kind: 'dropout', p: 0.1 },
      { kind: 'flatten' },
      { kind: 'linear', inFeatures: 8 * h2 * w2, outFeatures: 32 },
      { kind: 'batchnorm1d', features: 32 },
      { kind: 'relu' },
      { kind: 'linear', inFeatures: 32, outFeatures: numClasses },
    ],
  };
}
