// The engine conformance suite against tfjs on the wasm backend (the one 'auto' picks when the
// native tfjs-node packages are absent).
import { runEngineConformance } from '@deeprelax/core/conformance';
import { createTfjsEngine } from '@deeprelax/engine-tfjs';

runEngineConformance('tfjs (wasm)', () => createTfjsEngine({ backend: 'wasm' }));
