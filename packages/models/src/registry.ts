// Models by name, as the CLI and job specs refer to them.
import { layoutOf, SpecError, type ModelSpec } from '@deeprelax/core';
import { allcnn, lenet, mlp, mnistfc, tinyconv, type ModelOptions } from './zoo.js';

export interface ModelEntry {
  name: string;
  description: string;
  /** Dataset family the model expects: input [C,H,W]. */
  inputShape: number[];
  build(options?: ModelOptions): ModelSpec;
}

const entries: ModelEntry[] = [
  { name: 'mnistfc', description: 'MNIST 784-1024-1024-10 with BN and dropout (1,867,786 params)', inputShape: [1, 28, 28], build: mnistfc },
  { name: 'lenet', description: 'LeNet with BN and dropout 0.25 (131,220 params)', inputShape: [1, 28, 28], build: lenet },
  { name: 'allcnn', description: 'All-CNN-C with BN for CIFAR-10 (1,667,166 params)', inputShape: [3, 32, 32], build: allcnn },
  { name: 'mlp', description: 'small MLP 784-128-10 for quick MNIST runs (101,770 params)', inputShape: [1, 28, 28], build: () => mlp([784, 128, 10], [1, 28, 28]) },
  { name: 'tinyconv', description: 'tiny conv net for tests', inputShape: [1, 28, 28], build: () => tinyconv() },
];

export function modelNames(): string[] {
  return entries.map((e) => e.name);
}

export function modelEntries(): readonly ModelEntry[] {
  return entries;
}

/** Returns the spec of a named model; throws SpecError listing the known names otherwise. */
export function getModelSpec(name: string, options?: ModelOptions): ModelSpec {
  const e = entries.find((m) => m.name === name);
  if (!e) throw new SpecError(`unknown model "${name}"; known models: ${modelNames().join(', ')}`);
  return e.build(options);
}

export function parameterCount(spec: ModelSpec): number {
  return layoutOf(spec).numParams;
}
