// Original file: proto/deeprelax/v1/common.proto

/**
 * Compute engine a worker runs the model on.
 */
export const EngineKind = {
  /**
   * The fastest engine present on the worker (torch when built, else tfjs).
   */
  ENGINE_KIND_AUTO: 'ENGINE_KIND_AUTO',
  /**
   * libtorch through the native addon (CPU or CUDA).
   */
  ENGINE_KIND_TORCH: 'ENGINE_KIND_TORCH',
  /**
   * TensorFlow.js (tfjs-node-gpu, tfjs-node, or pure JS).
   */
  ENGINE_KIND_TFJS: 'ENGINE_KIND_TFJS',
} as const;

/**
 * Compute engine a worker runs the model on.
 */
export type EngineKind =
  /**
   * The fastest engine present on the worker (torch when built, else tfjs).
   */
  | 'ENGINE_KIND_AUTO'
  | 0
  /**
   * libtorch through the native addon (CPU or CUDA).
   */
  | 'ENGINE_KIND_TORCH'
  | 1
  /**
   * TensorFlow.js (tfjs-node-gpu, tfjs-node, or pure JS).
   */
  | 'ENGINE_KIND_TFJS'
  | 2

/**
 * Compute engine a worker runs the model on.
 */
export type EngineKind__Output = typeof EngineKind[keyof typeof EngineKind]
