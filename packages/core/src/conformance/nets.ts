// The tiny networks the conformance suite builds. Every layer kind of spec.ts appears, with
// non-square images (so H/W mix-ups show), stride, padding, bias-free layers, overlapping pools,
// custom batch-norm eps/momentum and batch norm directly on the NCHW input.
import type { ModelSpec } from '../spec.js';

export interface TestNet {
  /** Short id used in test ids: forward.<id>, grad.<id>, grad-fd.<id>. */
  id: string;
  spec: ModelSpec;
  /** Batch size for the layer tests. */
  batch: number;
  /** Has batch norm: also test train mode (batch statistics) against the reference. */
  batchNorm: boolean;
  /** Has dropout with p > 0: train mode is random, compared only against itself after seed(). */
  dropout: boolean;
}

export const NETS: TestNet[] = [
  {
    id: 'mlp',
    batch: 5,
    batchNorm: false,
    dropout: false,
    spec: {
      name: 'conformance-mlp',
      inputShape: [6],
      numClasses: 3,
      layers: [
        { kind: 'linear', inFeatures: 6, outFeatures: 5 },
        { kind: 'relu' },
        { kind: 'linear', inFeatures: 5, outFeatures: 4, bias: false },
        { kind: 'relu' },
        { kind: 'linear', inFeatures: 4, outFeatures: 3 },
      ],
    },
  },
  {
    id: 'conv-maxpool',
    batch: 3,
    batchNorm: false,
    dropout: false,
    spec: {
      name: 'conformance-conv-maxpool',
      inputShape: [2, 7, 6],
      numClasses: 3,
      layers: [
        { kind: 'conv2d', inChannels: 2, outChannels: 3, kernel: 3 },
        { kind: 'relu' },
        { kind: 'maxpool2d', kernel: 2 },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 12, outFeatures: 3 },
      ],
    },
  },
  {
    id: 'conv-stride-padding',
    batch: 3,
    batchNorm: false,
    dropout: false,
    spec: {
      name: 'conformance-conv-stride-padding',
      inputShape: [2, 6, 5],
      numClasses: 3,
      layers: [
        { kind: 'conv2d', inChannels: 2, outChannels: 4, kernel: 3, stride: 2, padding: 1, bias: false },
        { kind: 'relu' },
        { kind: 'conv2d', inChannels: 4, outChannels: 2, kernel: 2, stride: 1, padding: 0 },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 8, outFeatures: 3 },
      ],
    },
  },
  {
    id: 'pools',
    batch: 3,
    batchNorm: false,
    dropout: false,
    spec: {
      name: 'conformance-pools',
      inputShape: [1, 7, 8],
      numClasses: 3,
      layers: [
        { kind: 'conv2d', inChannels: 1, outChannels: 2, kernel: 2 },
        { kind: 'avgpool2d', kernel: 3, stride: 2 },
        { kind: 'relu' },
        { kind: 'maxpool2d', kernel: 2, stride: 1 },
        { kind: 'avgpool2d', kernel: 1 },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 4, outFeatures: 3 },
      ],
    },
  },
  {
    id: 'batchnorm1d',
    batch: 6,
    batchNorm: true,
    dropout: false,
    spec: {
      name: 'conformance-batchnorm1d',
      inputShape: [5],
      numClasses: 3,
      layers: [
        { kind: 'linear', inFeatures: 5, outFeatures: 4 },
        { kind: 'batchnorm1d', features: 4 },
        { kind: 'relu' },
        { kind: 'linear', inFeatures: 4, outFeatures: 4, bias: false },
        { kind: 'batchnorm1d', features: 4, eps: 1e-3, momentum: 0.3 },
        { kind: 'relu' },
        { kind: 'linear', inFeatures: 4, outFeatures: 3 },
      ],
    },
  },
  {
    id: 'batchnorm2d',
    batch: 3,
    batchNorm: true,
    dropout: false,
    spec: {
      name: 'conformance-batchnorm2d',
      inputShape: [2, 5, 4],
      numClasses: 3,
      layers: [
        { kind: 'batchnorm2d', features: 2, eps: 1e-4, momentum: 0.5 },
        { kind: 'conv2d', inChannels: 2, outChannels: 3, kernel: 3, padding: 1 },
        { kind: 'batchnorm2d', features: 3 },
        { kind: 'relu' },
        { kind: 'maxpool2d', kernel: 2 },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 12, outFeatures: 3 },
      ],
    },
  },
  {
    id: 'dropout',
    batch: 4,
    batchNorm: false,
    dropout: true,
    spec: {
      name: 'conformance-dropout',
      inputShape: [1, 5, 4],
      numClasses: 3,
      layers: [
        { kind: 'conv2d', inChannels: 1, outChannels: 2, kernel: 2 },
        { kind: 'dropout', p: 0.3 },
        { kind: 'relu' },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 24, outFeatures: 6 },
        { kind: 'relu' },
        { kind: 'dropout', p: 0.5 },
        { kind: 'linear', inFeatures: 6, outFeatures: 3 },
      ],
    },
  },
];

/** A net with BN and dropout: for mode, determinism and update-statistics tests. */
export const MIXED_NET: ModelSpec = {
  name: 'conformance-mixed',
  inputShape: [1, 4, 4],
  numClasses: 4,
  layers: [
    { kind: 'conv2d', inChannels: 1, outChannels: 3, kernel: 3, padding: 1 },
    { kind: 'batchnorm2d', features: 3 },
    { kind: 'relu' },
    { kind: 'dropout', p: 0.4 },
    { kind: 'maxpool2d', kernel: 2 },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 12, outFeatures: 8 },
    { kind: 'batchnorm1d', features: 8 },
    { kind: 'relu' },
    { kind: 'dropout', p: 0.2 },
    { kind: 'linear', inFeatures: 8, outFeatures: 4 },
  ],
};

/** A few thousand parameters, for vector-operation statistics (2,826 parameters). */
export const VEC_NET: ModelSpec = {
  name: 'conformance-vec',
  inputShape: [32],
  numClasses: 10,
  layers: [
    { kind: 'linear', inFeatures: 32, outFeatures: 64 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 64, outFeatures: 10 },
  ],
};

/** Linear C -> C followed by dropout: logits are the (dropped-out) inputs when W = I, b = 0. */
export function dropoutProbeNet(classes: number, p: number): ModelSpec {
  return {
    name: 'conformance-dropout-probe',
    inputShape: [classes],
    numClasses: classes,
    layers: [
      { kind: 'linear', inFeatures: classes, outFeatures: classes },
      { kind: 'dropout', p },
    ],
  };
}

/** Linear 2 -> 3 for the hand-computed loss. */
export const HAND_NET: ModelSpec = {
  name: 'conformance-hand',
  inputShape: [2],
  numClasses: 3,
  layers: [{ kind: 'linear', inFeatures: 2, outFeatures: 3 }],
};
