export * from './zoo.js';
export * from './registry.js';
