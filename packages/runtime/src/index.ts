export * from './engines.js';
export * from './logger.js';
