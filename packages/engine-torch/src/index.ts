// @deeprelax/engine-torch: the Engine over libtorch (a C++ N-API addon, src/native/) and its
// TypeScript face. Importing this module never throws: call available() to learn whether the
// addon is built and loads here, or createTorchEngine(), which throws TorchUnavailableError with
// the remedy when it is not.
export {
  createTorchEngine,
  available,
  TorchEngine,
  TorchModel,
  TorchUnavailableError,
  type TorchEngineOptions,
  type TorchDevice,
} from './engine.js';
export { BUILD_REMEDY, type CpuCacheStats, type NativeInfo } from './native.js';
