export * from './spec.js';
export * from './rng.js';
export * from './init.js';
export * from './engine.js';
