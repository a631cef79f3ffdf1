// @deeprelax/engine-tfjs: the Engine of @deeprelax/core over TensorFlow.js.
//
//   const engine = await createTfjsEngine();          // backend 'auto'
//   log.info({ selection: engine.selection }, engine.description);
//   const model = engine.createModel(spec, { seed: 42 });
//
// Backend preference (backend.ts): @tensorflow/tfjs-node-gpu > @tensorflow/tfjs-node > wasm
// (@tensorflow/tfjs-backend-wasm, XNNPACK) > pure-JS cpu. The native packages are optional and
// loaded dynamically; `engine.selection` records what was tried, what failed and why this backend
// won. tfjs backends are process-global: the first selection holds for the process.
//
// Parameters live in one flat float32 tensor in the torch layout of core's spec.ts; layers read
// reshaped/transposed views of it inside the differentiated function, so gradients come back flat
// (network.ts). On the wasm and cpu backends some layers use hand-written gradients where tfjs's
// kernels are missing or slow (conv.ts, linear.ts, pool.ts); the conformance suite checks them.
export { createTfjsEngine, TfjsEngine, type TfjsEngineOptions } from './engine.js';
export { TfjsModel } from './model.js';
export type { KernelChoices } from './network.js';
export {
  loadBackend,
  BACKEND_ORDER,
  type BackendName,
  type BackendPreference,
  type BackendSelection,
  type BackendAttempt,
  type LoadedBackend,
  type Tf,
} from './backend.js';
