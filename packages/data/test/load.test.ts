import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDatasetForModel, DataError, loadDataset, subsetDataset, syntheticDataset } from '../src/index.js';
import { tempDir, writeCifarDir, writeIdxDataset } from './helpers.js';

test('loadDataset dispatches by name and applies limits', async () => {
  const m = await loadDataset({ name: 'mnist', trainLimit: 1000, testLimit: 100, scale: 'raw' });
  assert.equal(m.train.n, 1000);
  assert.equal(m.test.n, 100);
  assert.equal(m.train.x.length, 1000 * 784);
  assert.equal(m.train.y[0], 5);
  assert.equal(m.preprocessing, 'raw (0..255)');
  const s = await loadDataset({ name: 'synthetic', synthetic: { trainSize: 64, testSize: 16 } });
  assert.equal(s.train.n, 64);
  const dir = tempDir();
  writeIdxDataset(dir);
  assert.equal((await loadDataset({ name: 'idx', dir })).train.n, 12);
  const cdir = tempDir();
  writeCifarDir(cdir, 2, 2);
  assert.equal((await loadDataset({ name: 'cifar10', dir: cdir, normalization: 'gcn' })).train.n, 10);
  await assert.rejects(loadDataset({ name: 'cifar10' }), /needs the directory/);
  await assert.rejects(loadDataset({ name: 'idx' }), DataError);
  await assert.rejects(loadDataset({ name: 'imagenet' as never }), /unknown dataset 'imagenet'/);
});

test('subsetDataset keeps the first samples; checkDatasetForModel compares shapes and classes', () => {
  const ds = syntheticDataset({ trainSize: 50, testSize: 20, inputShape: [1, 4, 4], numClasses: 5 });
  const sub = subsetDataset(ds, { train: 10 });
  assert.equal(sub.train.n, 10);
  assert.equal(sub.test.n, 20);
  assert.deepEqual(sub.train.x, ds.train.x.subarray(0, 160));
  checkDatasetForModel(ds, { name: 'fc', inputShape: [16], numClasses: 5 });
  checkDatasetForModel(ds, { name: 'conv', inputShape: [1, 4, 4], numClasses: 5 });
  assert.throws(() => checkDatasetForModel(ds, { name: 'conv', inputShape: [1, 2, 8], numClasses: 5 }), /takes inputs of shape \[1,2,8\]/);
  assert.throws(() => checkDatasetForModel(ds, { name: 'fc', inputShape: [784], numClasses: 5 }), DataError);
  assert.throws(() => checkDatasetForModel(ds, { name: 'fc', inputShape: [16], numClasses: 10 }), /10 classes/);
});
