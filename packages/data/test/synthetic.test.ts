import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, labelHistogram, syntheticDataset, type Dataset } from '../src/index.js';

/** Test accuracy of a nearest-class-mean classifier fitted on train. */
function nearestMeanAccuracy(ds: Dataset): number {
  const d = ds.train.sampleSize;
  const k = ds.numClasses;
  const mu = new Float64Array(k * d);
  const cnt = new Array(k).fill(0);
  for (let s = 0; s < ds.train.n; s++) {
    const c = ds.train.y[s];
    cnt[c]++;
    for (let i = 0; i < d; i++) mu[c * d + i] += ds.train.x[s * d + i];
  }
  for (let c = 0; c < k; c++) for (let i = 0; i < d; i++) mu[c * d + i] /= Math.max(1, cnt[c]);
  let ok = 0;
  for (let s = 0; s < ds.test.n; s++) {
    let best = -1;
    let bd = Infinity;
    for (let c = 0; c < k; c++) {
      let dist = 0;
      for (let i = 0; i < d; i++) dist += (ds.test.x[s * d + i] - mu[c * d + i]) ** 2;
      if (dist < bd) {
        bd = dist;
        best = c;
      }
    }
    if (best === ds.test.y[s]) ok++;
  }
  return ok / ds.test.n;
}

test('synthetic blobs: shape, determinism, balance, unit-scale inputs, learnable', () => {
  const a = syntheticDataset({ seed: 3 });
  const b = syntheticDataset({ seed: 3 });
  const c = syntheticDataset({ seed: 4 });
  assert.deepEqual(a.inputShape, [1, 8, 8]);
  assert.equal(a.numClasses, 10);
  assert.equal(a.train.n, 4096);
  assert.equal(a.test.n, 1024);
  assert.deepEqual(a.train.x, b.train.x);
  assert.deepEqual(a.test.y, b.test.y);
  assert.notDeepEqual(a.train.x, c.train.x);
  assert.notDeepEqual(a.train.x.subarray(0, 64), a.test.x.subarray(0, 64));
  for (const h of labelHistogram(a.train, 10)) assert.ok(h > 330 && h < 490, `class count ${h}`);
  const v = a.train.x.reduce((s, x) => s + x * x, 0) / a.train.x.length;
  assert.ok(v > 0.8 && v < 1.2, `mean square ${v}`);
  const acc = nearestMeanAccuracy(a);
  assert.ok(acc > 0.9 && acc < 1, `nearest-mean test accuracy ${acc}`);
  const hard = syntheticDataset({ seed: 3, noise: 8 });
  assert.ok(nearestMeanAccuracy(hard) < acc);
});

test('synthetic teacher and custom shapes', () => {
  const t = syntheticDataset({ kind: 'teacher', inputShape: [3, 4, 4], numClasses: 3, trainSize: 600, testSize: 200, seed: 1 });
  assert.deepEqual(t.inputShape, [3, 4, 4]);
  assert.equal(t.train.sampleSize, 48);
  assert.equal(t.name, 'synthetic-teacher');
  assert.ok(t.train.y.every((y) => y >= 0 && y < 3));
  assert.ok(labelHistogram(t.train, 3).every((h) => h > 0));
  assert.deepEqual(syntheticDataset({ kind: 'teacher', inputShape: [3, 4, 4], numClasses: 3, trainSize: 600, testSize: 200, seed: 1 }).train.y, t.train.y);
  assert.throws(() => syntheticDataset({ numClasses: 1 }), DataError);
  assert.throws(() => syntheticDataset({ inputShape: [0, 2, 2] }), DataError);
  assert.throws(() => syntheticDataset({ kind: 'other' as never }), DataError);
});
