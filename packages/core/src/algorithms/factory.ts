// One entry point for every optimizer: createOptimizer(model, batches, config), where config is a
// discriminated union on `algorithm`. Every field but `algorithm` is optional; defaults are the
// reference codes' (see each config type) and presets.ts fills in the per-network protocols.
import type { BatchSource, Model } from '../engine.js';
import type { Optimizer } from './common.js';
import {
  SimulatedDistEsgd,
  SimulatedEasgd,
  SimulatedParle,
  type DistEsgdConfig,
  type EasgdConfig,
  type ParleConfig,
  type ReplicaResources,
} from './distributed/simulate.js';
import { EntropySgd, HEsgd, type EsgdConfig, type HesgdConfig } from './esgd.js';
import { HeatDrCompat, HeatGaussian, type HeatConfig } from './heat.js';
import { HopfLax, type HjConfig } from './hj.js';
import { Sgd, type SgdConfig } from './sgd.js';

export type OptimizerConfig =
  | SgdConfig
  | EsgdConfig
  | HjConfig
  | HesgdConfig
  | HeatConfig
  | ParleConfig
  | EasgdConfig
  | DistEsgdConfig;

export type AlgorithmName = OptimizerConfig['algorithm'];

/** Every algorithm name createOptimizer accepts. */
export const ALGORITHM_NAMES: readonly AlgorithmName[] = [
  'sgd',
  'esgd',
  'hj',
  'hesgd',
  'heat',
  'parle',
  'easgd',
  'eamsgd',
  'dist-esgd',
];

/** The single-process ("local") algorithms; the others are simulated with several replicas. */
export const LOCAL_ALGORITHMS: readonly AlgorithmName[] = ['sgd', 'esgd', 'hj', 'hesgd', 'heat'];

export function isAlgorithmName(s: string): s is AlgorithmName {
  return (ALGORITHM_NAMES as readonly string[]).includes(s);
}

/**
 * Builds the optimizer for `config`. The model's current params are the starting point; gradients
 * come from `batches` (fresh minibatch per call). For the distributed algorithms this is a one-process
 * simulation; `resources` may give each replica its own model/batch source.
 */
export function createOptimizer(
  model: Model,
  batches: BatchSource,
  config: OptimizerConfig,
  resources?: ReplicaResources,
): Optimizer {
  switch (config?.algorithm) {
    case 'sgd':
      return new Sgd(model, batches, config);
    case 'esgd':
      return new EntropySgd(model, batches, config);
    case 'hesgd':
      return new HEsgd(model, batches, config);
    case 'hj':
      return new HopfLax(model, batches, config);
    case 'heat': {
      const est = config.estimator ?? 'gaussian';
      if (est === 'gaussian') return new HeatGaussian(model, batches, config);
      if (est === 'dr-compat') return new HeatDrCompat(model, batches, config);
      throw new RangeError(`heat: unknown estimator ${String(est)}; expected gaussian or dr-compat`);
    }
    case 'parle':
      return new SimulatedParle(model, batches, config, resources);
    case 'easgd':
    case 'eamsgd':
      return new SimulatedEasgd(model, batches, config, resources);
    case 'dist-esgd':
      return new SimulatedDistEsgd(model, batches, config, resources);
    default:
      throw new RangeError(
        `unknown algorithm ${String((config as { algorithm?: unknown })?.algorithm)}; expected one of ${ALGORITHM_NAMES.join(', ')}`,
      );
  }
}
