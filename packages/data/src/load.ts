// One entry point from a dataset name and options to a Dataset, for the CLI, coordinator and workers.
import { DataError } from './errors.js';
import { subsetDataset, type Dataset } from './dataset.js';
import { loadIdxDataset, loadMnist, type PixelScale } from './idx.js';
import { loadCifar10, type Cifar10Options, type CifarNormalization } from './cifar.js';
import { syntheticDataset, type SyntheticOptions } from './synthetic.js';

export type DatasetName = 'mnist' | 'cifar10' | 'idx' | 'synthetic';
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'cifar10', 'idx', 'synthetic'];

export interface LoadDatasetOptions {
  name: DatasetName;
  /** mnist: optional override of the bundled files; idx and cifar10: required. */
  dir?: string;
  /** mnist and idx: input scaling, default 'unit'. */
  scale?: PixelScale;
  /** idx: number of classes (default: largest label + 1). */
  numClasses?: number;
  /** cifar10: see Cifar10Options. */
  normalization?: CifarNormalization;
  cifar?: Omit<Cifar10Options, 'normalization'>;
  /** synthetic: see SyntheticOptions. */
  synthetic?: SyntheticOptions;
  /** Keep only the first trainLimit / testLimit samples (quick runs). */
  trainLimit?: number;
  testLimit?: number;
}

export async function loadDataset(options: LoadDatasetOptions): Promise<Dataset> {
  let ds: Dataset;
  switch (options.name) {
    case 'mnist':
      ds = loadMnist({ dir: options.dir, scale: options.scale });
      break;
    case 'idx':
      if (!options.dir) throw new DataError("dataset 'idx' needs a directory (dir)");
      ds = loadIdxDataset(options.dir, { scale: options.scale, numClasses: options.numClasses });
      break;
    case 'cifar10':
      if (!options.dir) {
        throw new DataError(
          "dataset 'cifar10' needs the directory of the CIFAR-10 binary version (cifar-10-batches-bin); nothing is downloaded",
        );
      }
      ds = await loadCifar10(options.dir, { ...options.cifar, normalization: options.normalization });
      break;
    case 'synthetic':
      ds = syntheticDataset(options.synthetic);
      break;
    default:
      throw new DataError(`unknown dataset '${options.name as string}' (expected one of ${DATASET_NAMES.join(', ')})`);
  }
  return subsetDataset(ds, { train: options.trainLimit, test: options.testLimit });
}
