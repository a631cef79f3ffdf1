export * from './host.js';
export * from './easgd.js';
export * from './parle.js';
export * from './local-entropy.js';
export * from './simulate.js';
