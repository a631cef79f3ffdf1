import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchSource } from '@deeprelax/core';
import {
  DataError,
  MinibatchSource,
  batchCount,
  bnRefreshBatches,
  evalBatches,
  makeSplit,
  sequentialBatches,
  shardIndices,
  type Split,
} from '../src/index.js';

/** n samples of d floats where sample i is filled with the value i and labelled i % 10. */
function indexSplit(n: number, d = 3): Split {
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) x.fill(i, i * d, (i + 1) * d);
  return makeSplit(x, Int32Array.from({ length: n }, (_, i) => i % 10), d);
}

test('MinibatchSource is a core BatchSource; batches carry the right samples and labels', () => {
  const split = indexSplit(50);
  const src: BatchSource = new MinibatchSource(split, { batchSize: 8, seed: 1 });
  assert.equal(src.size, 50);
  assert.equal(src.batchSize, 8);
  const b = src.next();
  assert.equal(b.n, 8);
  assert.equal(b.x.length, 24);
  for (let k = 0; k < 8; k++) {
    const i = b.x[k * 3];
    assert.equal(b.x[k * 3 + 2], i);
    assert.equal(b.y[k], i % 10);
  }
  // fresh arrays: mutating a batch changes neither the dataset nor later batches
  b.x.fill(-1);
  assert.ok(split.x.every((v) => v >= 0));
});

test('sampling is deterministic under a seed and differs across seeds, workers and streams', () => {
  const split = indexSplit(1000);
  const draw = (o: Partial<ConstructorParameters<typeof MinibatchSource>[1]>) => {
    const s = new MinibatchSource(split, { batchSize: 32, seed: 42, ...o });
    return Array.from({ length: 5 }, () => Array.from(s.nextIndices())).flat();
  };
  for (const mode of ['replacement', 'permutation'] as const) {
    assert.deepEqual(draw({ mode }), draw({ mode }));
    assert.notDeepEqual(draw({ mode }), draw({ mode, seed: 43 }));
    assert.notDeepEqual(draw({ mode, numWorkers: 2, worker: 0 }), draw({ mode, numWorkers: 2, worker: 1 }));
    assert.notDeepEqual(draw({ mode }), draw({ mode, stream: 1 }));
  }
  // next() and nextIndices() advance identically
  const a = new MinibatchSource(split, { batchSize: 16, seed: 7 });
  const b = new MinibatchSource(split, { batchSize: 16, seed: 7 });
  for (let t = 0; t < 3; t++) assert.deepEqual(Array.from(a.next().x.filter((_, i) => i % 3 === 0)), Array.from(b.nextIndices()));
});

test('with replacement: uniform counts (chi-square), repeats within a batch at the birthday rate', () => {
  const n = 20;
  const src = new MinibatchSource(indexSplit(n), { batchSize: 10, seed: 3 });
  const counts = new Array(n).fill(0);
  const draws = 20000;
  let batchesWithRepeat = 0;
  for (let t = 0; t < draws / 10; t++) {
    const idx = src.nextIndices();
    if (new Set(idx).size < idx.length) batchesWithRepeat++;
    for (const i of idx) counts[i]++;
  }
  const e = draws / n;
  const chi2 = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
  assert.ok(chi2 < 43.8, `chi2 = ${chi2} (df 19, p = 0.001 critical value 43.8)`);
  // P(no repeat among 10 draws from 20) = 20!/(10!·20^10) ≈ 0.0655
  const pRepeat = 1 - 0.06547;
  const frac = batchesWithRepeat / (draws / 10);
  assert.ok(Math.abs(frac - pRepeat) < 0.03, `fraction of batches with a repeat ${frac}`);
  assert.equal(src.epoch, draws / n);
});

test('permutation mode: every index exactly once per epoch (wrap and short), epoch accounting', () => {
  const n = 103;
  const wrap = new MinibatchSource(indexSplit(n), { batchSize: 10, seed: 5, mode: 'permutation' });
  const stream: number[] = [];
  for (let t = 0; t < 41; t++) {
    const idx = wrap.nextIndices();
    assert.equal(idx.length, 10);
    stream.push(...idx);
  }
  assert.equal(wrap.epoch, 3); // 410 samples = 3 full epochs + 101
  for (let ep = 0; ep < 3; ep++) {
    const seg = stream.slice(ep * n, (ep + 1) * n).sort((a, b) => a - b);
    assert.deepEqual(seg, Array.from({ length: n }, (_, i) => i));
  }
  assert.notDeepEqual(stream.slice(0, n), stream.slice(n, 2 * n)); // reshuffled each epoch

  const short = new MinibatchSource(indexSplit(n), { batchSize: 10, seed: 5, mode: 'permutation', lastBatch: 'short' });
  assert.equal(short.batchesPerEpoch, 11);
  for (let ep = 0; ep < 2; ep++) {
    const seen: number[] = [];
    for (let t = 0; t < 11; t++) {
      const idx = short.nextIndices();
      assert.equal(idx.length, t < 10 ? 10 : 3);
      seen.push(...idx);
    }
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    assert.equal(short.epoch, ep + 1);
  }
});

test('disjoint shards partition the data; each worker samples only its shard', () => {
  const n = 1001;
  for (const p of [1, 2, 3, 8]) {
    const all: number[] = [];
    for (let w = 0; w < p; w++) {
      const s = shardIndices(n, 9, w, p);
      assert.ok(s.length === Math.floor(n / p) || s.length === Math.ceil(n / p));
      all.push(...s);
    }
    assert.deepEqual(all.sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  }
  const split = indexSplit(n);
  const sources = [0, 1, 2].map((w) => new MinibatchSource(split, { batchSize: 64, seed: 9, worker: w, numWorkers: 3, sharding: 'disjoint' }));
  const seen = sources.map(() => new Set<number>());
  for (let t = 0; t < 50; t++) sources.forEach((s, w) => s.nextIndices().forEach((i) => seen[w].add(i)));
  sources.forEach((s, w) => {
    assert.equal(s.datasetSize, n);
    assert.equal(s.size, s.indices.length);
    const own = new Set(s.indices);
    for (const i of seen[w]) assert.ok(own.has(i), `worker ${w} drew ${i} outside its shard`);
  });
  // permutation mode over a shard covers that shard exactly once per epoch
  const ps = new MinibatchSource(split, { batchSize: 1, seed: 9, worker: 1, numWorkers: 3, sharding: 'disjoint', mode: 'permutation' });
  const ep = Array.from({ length: ps.size }, () => ps.nextIndices()[0]).sort((a, b) => a - b);
  assert.deepEqual(ep, Array.from(ps.indices).sort((a, b) => a - b));
  // the partition depends on the seed only, so every worker agrees on it
  assert.deepEqual(shardIndices(n, 9, 1, 3), sources[1].indices);
  assert.notDeepEqual(shardIndices(n, 10, 1, 3), sources[1].indices);
});

test('independent workers see the whole split with different streams', () => {
  const split = indexSplit(200);
  const s0 = new MinibatchSource(split, { batchSize: 50, seed: 1, worker: 0, numWorkers: 4 });
  const s3 = new MinibatchSource(split, { batchSize: 50, seed: 1, worker: 3, numWorkers: 4 });
  assert.equal(s3.size, 200);
  const u = new Set<number>();
  for (let t = 0; t < 40; t++) s3.nextIndices().forEach((i) => u.add(i));
  assert.equal(u.size, 200);
  assert.notDeepEqual(Array.from(s0.nextIndices()), Array.from(new MinibatchSource(split, { batchSize: 50, seed: 1, worker: 3, numWorkers: 4 }).nextIndices()));
});

test('eval and sequential iterators: in order, fixed size, smaller last batch', () => {
  const split = indexSplit(25);
  const batches = [...evalBatches(split, 10)];
  assert.deepEqual(batches.map((b) => b.n), [10, 10, 5]);
  assert.equal(batchCount(25, 10), 3);
  const order = batches.flatMap((b) => Array.from(b.x.filter((_, i) => i % 3 === 0)));
  assert.deepEqual(order, Array.from({ length: 25 }, (_, i) => i));
  assert.deepEqual(Array.from(batches[2].y), [0, 1, 2, 3, 4]);
  assert.deepEqual([...sequentialBatches(split, 100)].map((b) => b.n), [25]);
  assert.deepEqual([...sequentialBatches(split, 4, { start: 3, end: 12 })].map((b) => b.x[0]), [3, 7, 11]);
  assert.deepEqual([...evalBatches(indexSplit(20), 10)].map((b) => b.n), [10, 10]);
});

test('BN refresh batches: sequential pass of 1024 or one sampled epoch from its own stream', () => {
  const split = indexSplit(2500);
  const seq = [...bnRefreshBatches(split)];
  assert.deepEqual(seq.map((b) => b.n), [1024, 1024, 452]);
  const sampled = [...bnRefreshBatches(split, { mode: 'sampled', batchSize: 128, seed: 42 })];
  assert.equal(sampled.length, Math.ceil(2500 / 128));
  assert.ok(sampled.every((b) => b.n === 128));
  const again = [...bnRefreshBatches(split, { mode: 'sampled', batchSize: 128, seed: 42 })];
  assert.deepEqual(again[0].x, sampled[0].x);
  const pass2 = [...bnRefreshBatches(split, { mode: 'sampled', batchSize: 128, seed: 42, pass: 1 })];
  assert.notDeepEqual(pass2[0].x, sampled[0].x);
  // it does not replay the training stream of the same seed
  const train = new MinibatchSource(split, { batchSize: 128, seed: 42 });
  assert.notDeepEqual(train.next().x, sampled[0].x);
});

test('sampler options are validated', () => {
  const split = indexSplit(10);
  assert.throws(() => new MinibatchSource(split, { batchSize: 0, seed: 1 }), DataError);
  assert.throws(() => new MinibatchSource(split, { batchSize: 2.5, seed: 1 }), DataError);
  assert.throws(() => new MinibatchSource(split, { batchSize: 2, seed: 1, worker: 2, numWorkers: 2 }), /out of range/);
  assert.throws(() => new MinibatchSource(split, { batchSize: 2, seed: 1, mode: 'x' as never }), /unknown mode/);
  assert.throws(() => new MinibatchSource(split, { batchSize: 2, seed: 1, sharding: 'x' as never }), /unknown sharding/);
  assert.throws(() => new MinibatchSource(split, { batchSize: 2, seed: NaN }), DataError);
  assert.throws(() => shardIndices(3, 1, 0, 4), /cannot split 3 samples into 4/);
  assert.throws(() => [...evalBatches(split, 0)], DataError);
});
