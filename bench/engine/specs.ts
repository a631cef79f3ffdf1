// The paper's two MNIST networks (ALGORITHMS.md §3.2), written inline until @deeprelax/models
// settles; the same specs drive the torch engine, tfjs and the PyTorch reference.
import type { ModelSpec } from '@deeprelax/core';

export const MNISTFC: ModelSpec = {
  name: 'mnistfc',
  inputShape: [1, 28, 28],
  numClasses: 10,
  layers: [
    { kind: 'flatten' },
    { kind: 'dropout', p: 0.2 },
    { kind: 'linear', inFeatures: 784, outFeatures: 1024 },
    { kind: 'relu' },
    { kind: 'batchnorm1d', features: 1024 },
    { kind: 'dropout', p: 0.2 },
    { kind: 'linear', inFeatures: 1024, outFeatures: 1024 },
    { kind: 'relu' },
    { kind: 'dropout', p: 0.2 },
    { kind: 'batchnorm1d', features: 1024 },
    { kind: 'linear', inFeatures: 1024, outFeatures: 10 },
  ],
};

export const LENET: ModelSpec = {
  name: 'lenet',
  inputShape: [1, 28, 28],
  numClasses: 10,
  layers: [
    { kind: 'conv2d', inChannels: 1, outChannels: 20, kernel: 5 },
    { kind: 'relu' },
    { kind: 'maxpool2d', kernel: 3, stride: 3 },
    { kind: 'batchnorm2d', features: 20 },
    { kind: 'dropout', p: 0.25 },
    { kind: 'conv2d', inChannels: 20, outChannels: 50, kernel: 5 },
    { kind: 'relu' },
    { kind: 'maxpool2d', kernel: 2, stride: 2 },
    { kind: 'batchnorm2d', features: 50 },
    { kind: 'dropout', p: 0.25 },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 200, outFeatures: 500 },
    { kind: 'relu' },
    { kind: 'dropout', p: 0.25 },
    { kind: 'linear', inFeatures: 500, outFeatures: 10 },
  ],
};

export const SPECS: Record<string, ModelSpec> = { mnistfc: MNISTFC, lenet: LENET };
