export * from './common.js';
export * from './inner.js';
export * from './sgd.js';
export * from './esgd.js';
export * from './hj.js';
export * from './heat.js';
export * from './factory.js';
export * from './distributed/index.js';
