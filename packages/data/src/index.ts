// @deeprelax/data: datasets (IDX/MNIST, CIFAR-10 binary, synthetic), preprocessing, minibatch
// sampling and sharding. See README.md in this package for the API and its conventions.
export { DataError } from './errors.js';
export {
  type Dataset,
  type Split,
  shapeSize,
  makeSplit,
  labelHistogram,
  gather,
  sliceSplit,
  subsetDataset,
  checkDatasetForModel,
} from './dataset.js';
export {
  type IdxType,
  type IdxData,
  type IdxArray,
  type PixelScale,
  type IdxDatasetOptions,
  type MnistOptions,
  DEFAULT_PIXEL_SCALE,
  PIXEL_SCALES,
  IDX_FILES,
  parseIdx,
  readIdxFile,
  encodeIdx,
  writeIdxFile,
  scalePixels,
  describeScale,
  loadIdxDataset,
  mnistDirectory,
  loadMnist,
} from './idx.js';
export {
  type CifarNormalization,
  type Cifar10Options,
  type CifarRawSplit,
  CIFAR10_SHAPE,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TRAIN_FILES,
  CIFAR10_TEST_FILES,
  CIFAR10_CHANNEL_MEAN,
  CIFAR10_CHANNEL_STD,
  CIFAR_NORMALIZATIONS,
  cifar10Directory,
  parseCifarFile,
  readCifar10Raw,
  loadCifar10,
  gcnZca,
  cifarCacheKey,
} from './cifar.js';
export {
  type ZcaWhitening,
  type ZcaOptions,
  globalContrastNormalize,
  channelNormalize,
  sampleMean,
  fitZca,
  applyZca,
  zcaFromCovariance,
  gram,
} from './preprocess.js';
export { type SymmetricEigen, EigenError, symmetricEigen } from './eigen.js';
export { KernelPool, defaultThreads, sharedFloat32, sharedFloat64 } from './pool.js';
export { type SyntheticKind, type SyntheticOptions, syntheticDataset } from './synthetic.js';
export {
  type SamplingMode,
  type Sharding,
  type SamplerOptions,
  type BnRefreshOptions,
  MinibatchSource,
  trainingSource,
  shardIndices,
  sequentialBatches,
  evalBatches,
  bnRefreshBatches,
  batchCount,
} from './sampler.js';
export { type DatasetName, type LoadDatasetOptions, DATASET_NAMES, loadDataset } from './load.js';
