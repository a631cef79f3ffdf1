export * from './objectives.js';
export * from './engine.js';
export * from './theory.js';
