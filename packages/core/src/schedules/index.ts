export * from './lr.js';
export * from './scoping.js';
