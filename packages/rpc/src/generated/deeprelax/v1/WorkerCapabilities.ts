// Original file: proto/deeprelax/v1/common.proto

import type { EngineKind as _deeprelax_v1_EngineKind, EngineKind__Output as _deeprelax_v1_EngineKind__Output } from '../../deeprelax/v1/EngineKind.js';
import type { DType as _deeprelax_v1_DType, DType__Output as _deeprelax_v1_DType__Output } from '../../deeprelax/v1/DType.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What a worker can run. Sent once at registration.
 */
export interface WorkerCapabilities {
  /**
   * Engines available on this worker, fastest first.
   */
  'engines'?: (_deeprelax_v1_EngineKind)[];
  /**
   * Device the worker computes on: "cpu", "cuda", "cuda:1", ...
   */
  'device'?: (string);
  /**
   * Human-readable device name, e.g. "NVIDIA H100 80GB HBM3" or the CPU model.
   */
  'deviceName'?: (string);
  /**
   * Compute threads the worker will use.
   */
  'threads'?: (number);
  /**
   * Memory available to the worker, in bytes (0 if unknown).
   */
  'memoryBytes'?: (number | string | Long);
  'hostname'?: (string);
  'pid'?: (number);
  /**
   * deeprelax version of the worker.
   */
  'version'?: (string);
  /**
   * Wire dtypes the worker can encode and decode besides float32.
   */
  'dtypes'?: (_deeprelax_v1_DType)[];
}

/**
 * What a worker can run. Sent once at registration.
 */
export interface WorkerCapabilities__Output {
  /**
   * Engines available on this worker, fastest first.
   */
  'engines': (_deeprelax_v1_EngineKind__Output)[];
  /**
   * Device the worker computes on: "cpu", "cuda", "cuda:1", ...
   */
  'device': (string);
  /**
   * Human-readable device name, e.g. "NVIDIA H100 80GB HBM3" or the CPU model.
   */
  'deviceName': (string);
  /**
   * Compute threads the worker will use.
   */
  'threads': (number);
  /**
   * Memory available to the worker, in bytes (0 if unknown).
   */
  'memoryBytes': (number);
  'hostname': (string);
  'pid': (number);
  /**
   * deeprelax version of the worker.
   */
  'version': (string);
  /**
   * Wire dtypes the worker can encode and decode besides float32.
   */
  'dtypes': (_deeprelax_v1_DType__Output)[];
}
