// Original file: proto/deeprelax/v1/jobs.proto

import type { DatasetSpec as _deeprelax_v1_DatasetSpec, DatasetSpec__Output as _deeprelax_v1_DatasetSpec__Output } from '../../deeprelax/v1/DatasetSpec.js';
import type { Algorithm as _deeprelax_v1_Algorithm, Algorithm__Output as _deeprelax_v1_Algorithm__Output } from '../../deeprelax/v1/Algorithm.js';
import type { HyperParameters as _deeprelax_v1_HyperParameters, HyperParameters__Output as _deeprelax_v1_HyperParameters__Output } from '../../deeprelax/v1/HyperParameters.js';
import type { EngineKind as _deeprelax_v1_EngineKind, EngineKind__Output as _deeprelax_v1_EngineKind__Output } from '../../deeprelax/v1/EngineKind.js';
import type { Interval as _deeprelax_v1_Interval, Interval__Output as _deeprelax_v1_Interval__Output } from '../../deeprelax/v1/Interval.js';
import type { DType as _deeprelax_v1_DType, DType__Output as _deeprelax_v1_DType__Output } from '../../deeprelax/v1/DType.js';

export interface JobSpec {
  /**
   * Free-form label shown in listings.
   */
  'name'?: (string);
  /**
   * Model zoo name (packages/models): "mnistfc", "lenet", "allcnn", ...
   */
  'model'?: (string);
  'dataset'?: (_deeprelax_v1_DatasetSpec | null);
  'algorithm'?: (_deeprelax_v1_Algorithm);
  'hyper'?: (_deeprelax_v1_HyperParameters | null);
  /**
   * Length of the run in epochs of data per replica.
   */
  'epochs'?: (number | string);
  /**
   * Seed of the job; replica i derives its streams from (seed, i). Unset: chosen by the server.
   */
  'seed'?: (number);
  /**
   * The job starts when this many workers are assigned (default 1).
   */
  'minWorkers'?: (number);
  /**
   * At most this many replicas (default: min_workers).
   */
  'maxWorkers'?: (number);
  'engine'?: (_deeprelax_v1_EngineKind);
  /**
   * Evaluate x on the validation set (after the batch-norm refresh). Default: every epoch.
   */
  'evalInterval'?: (_deeprelax_v1_Interval | null);
  /**
   * Checkpoint x and the optimiser state. Default: every epoch.
   */
  'checkpointInterval'?: (_deeprelax_v1_Interval | null);
  /**
   * Synchronous rounds: a replica that has not contributed this long after the first one did is
   * dropped from the round (default 30000).
   */
  'roundDeadlineMs'?: (number);
  /**
   * Wire dtype of parameter exchanges (default float32).
   */
  'exchangeDtype'?: (_deeprelax_v1_DType);
  '_seed'?: "seed";
}

export interface JobSpec__Output {
  /**
   * Free-form label shown in listings.
   */
  'name': (string);
  /**
   * Model zoo name (packages/models): "mnistfc", "lenet", "allcnn", ...
   */
  'model': (string);
  'dataset': (_deeprelax_v1_DatasetSpec__Output | null);
  'algorithm': (_deeprelax_v1_Algorithm__Output);
  'hyper': (_deeprelax_v1_HyperParameters__Output | null);
  /**
   * Length of the run in epochs of data per replica.
   */
  'epochs': (number);
  /**
   * Seed of the job; replica i derives its streams from (seed, i). Unset: chosen by the server.
   */
  'seed'?: (number);
  /**
   * The job starts when this many workers are assigned (default 1).
   */
  'minWorkers': (number);
  /**
   * At most this many replicas (default: min_workers).
   */
  'maxWorkers': (number);
  'engine': (_deeprelax_v1_EngineKind__Output);
  /**
   * Evaluate x on the validation set (after the batch-norm refresh). Default: every epoch.
   */
  'evalInterval': (_deeprelax_v1_Interval__Output | null);
  /**
   * Checkpoint x and the optimiser state. Default: every epoch.
   */
  'checkpointInterval': (_deeprelax_v1_Interval__Output | null);
  /**
   * Synchronous rounds: a replica that has not contributed this long after the first one did is
   * dropped from the round (default 30000).
   */
  'roundDeadlineMs': (number);
  /**
   * Wire dtype of parameter exchanges (default float32).
   */
  'exchangeDtype': (_deeprelax_v1_DType__Output);
  '_seed'?: "seed";
}
