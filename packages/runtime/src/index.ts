export * from './engines.js';
export * from './logger.js';
export * from './service-node-flags.js';
