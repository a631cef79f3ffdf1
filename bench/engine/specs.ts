// The paper's two MNIST networks (ALGORITHMS.md §3.2), from the model zoo; the same specs drive the
// torch engine, tfjs and the PyTorch reference (bench/engine/pytorch.ts mirrors them layer by layer).
import type { ModelSpec } from '@deeprelax/core';
import { lenet, mnistfc } from '@deeprelax/models';

export const MNISTFC: ModelSpec = mnistfc();
export const LENET: ModelSpec = lenet();
export const SPECS: Record<string, ModelSpec> = { mnistfc: MNISTFC, lenet: LENET };
