export * from './chart.js';
export * from './write.js';
