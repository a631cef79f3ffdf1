export * from './spec.js';
export * from './rng.js';
export * from './init.js';
export * from './engine.js';
export * from './analytic/index.js';
export * from './schedules/index.js';
export * from './algorithms/index.js';
export * from './training/index.js';
export * from './presets.js';
export * from './finite.js';
export * from './wasm/arena.js';
export {
  kernelModule,
  wasmAllFinite,
  wasmDesgd,
  wasmEasgdAsync,
  wasmEasgdSync,
  wasmFloat16Decode,
  wasmFloat16Encode,
  wasmMean,
} from './wasm/kernels.js';
