import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CIFAR10_CHANNEL_MEAN,
  CIFAR10_CHANNEL_STD,
  DataError,
  applyZca,
  cifarCacheKey,
  fitZca,
  gcnZca,
  globalContrastNormalize,
  loadCifar10,
  readCifar10Raw,
  sampleMean,
  sharedFloat32,
} from '../src/index.js';
import { cacheFilePath, readCache, writeCache } from '../src/cifar.js';
import { cifarBytes, tempDir, writeCifarDir } from './helpers.js';

test('CIFAR-10 binary reader: records, order across batch files, labels, shape', async () => {
  const dir = tempDir();
  const { train, test: tst } = writeCifarDir(dir, 4, 3);
  const ds = await loadCifar10(dir, { normalization: 'raw' });
  assert.equal(ds.name, 'cifar10');
  assert.deepEqual(ds.inputShape, [3, 32, 32]);
  assert.equal(ds.numClasses, 10);
  assert.equal(ds.train.n, 20);
  assert.equal(ds.test.n, 3);
  assert.equal(ds.train.sampleSize, 3072);
  for (let b = 0; b < 5; b++) {
    for (let i = 0; i < 4; i++) {
      const s = b * 4 + i;
      const rec = train[b].subarray(i * 3073, (i + 1) * 3073);
      assert.equal(ds.train.y[s], rec[0]);
      assert.deepEqual(Array.from(ds.train.x.subarray(s * 3072, (s + 1) * 3072)), Array.from(rec.subarray(1)));
    }
  }
  assert.deepEqual(Array.from(ds.test.y), [0, 1, 2].map((i) => tst[i * 3073]));
  const unit = await loadCifar10(dir, { normalization: 'unit' });
  assert.equal(unit.train.x[5], Math.fround(ds.train.x[5] / 255));
});

test('CIFAR-10: gzipped files and the cifar-10-batches-bin subfolder are found', async () => {
  const root = tempDir();
  const dir = join(root, 'cifar-10-batches-bin');
  mkdirSync(dir);
  writeCifarDir(dir, 2, 2);
  writeFileSync(join(dir, 'data_batch_2.bin.gz'), gzipSync(cifarBytes(2, 2)));
  rmSync(join(dir, 'data_batch_2.bin'));
  const raw = readCifar10Raw(root);
  assert.equal(raw.dir, dir);
  assert.equal(raw.train.n, 10);
  assert.deepEqual(Array.from(raw.train.pixels.subarray(2 * 3072, 3 * 3072)), Array.from(cifarBytes(2, 2).subarray(1, 3073)));
});

test('CIFAR-10 normalizations: gcn (zero mean, unit std per image) and per-channel constants', async () => {
  const dir = tempDir();
  writeCifarDir(dir, 3, 2);
  const raw = await loadCifar10(dir, { normalization: 'raw' });
  const gcn = await loadCifar10(dir, { normalization: 'gcn' });
  assert.equal(gcn.preprocessing, 'gcn');
  for (const split of [gcn.train, gcn.test]) {
    for (let s = 0; s < split.n; s++) {
      const img = split.x.subarray(s * 3072, (s + 1) * 3072);
      const m = img.reduce((a, v) => a + v, 0) / 3072;
      const sd = Math.sqrt(img.reduce((a, v) => a + (v - m) ** 2, 0) / 3071);
      assert.ok(Math.abs(m) < 1e-5 && Math.abs(sd - 1) < 1e-5, `image ${s}: mean ${m} std ${sd}`);
    }
  }
  const ch = await loadCifar10(dir, { normalization: 'channel' });
  for (const p of [0, 1500, 3071]) {
    const c = Math.floor(p / 1024);
    assert.ok(Math.abs(ch.train.x[p] - (raw.train.x[p] - CIFAR10_CHANNEL_MEAN[c]) / CIFAR10_CHANNEL_STD[c]) < 1e-5);
  }
  await assert.rejects(loadCifar10(dir, { normalization: 'bogus' as never }), DataError);
});

function expectDataError(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.ok(e.message.includes(file), `"${e.message}" should name ${file}`);
    assert.match(e.message, problem);
    return true;
  });
}

test('CIFAR-10 errors: missing directory and file, wrong sizes, bad labels', async () => {
  const dir = tempDir();
  await expectDataError(loadCifar10(join(dir, 'nope')), join(dir, 'nope'), /does not exist/);
  writeCifarDir(dir, 2, 2);
  renameSync(join(dir, 'data_batch_3.bin'), join(dir, 'data_batch_3.bin.bak'));
  await expectDataError(loadCifar10(dir, { normalization: 'raw' }), dir, /missing training file data_batch_3\.bin/);
  renameSync(join(dir, 'data_batch_3.bin.bak'), join(dir, 'data_batch_3.bin'));
  const bad = join(dir, 'data_batch_4.bin');
  writeFileSync(bad, cifarBytes(2, 4).subarray(0, 2 * 3073 - 1));
  await expectDataError(loadCifar10(dir, { normalization: 'raw' }), bad, /wrong CIFAR-10 file size: 6145 bytes.*3073-byte records/);
  writeFileSync(bad, new Uint8Array(0));
  await expectDataError(loadCifar10(dir, { normalization: 'raw' }), bad, /wrong CIFAR-10 file size: 0 bytes/);
  const t = join(dir, 'test_batch.bin');
  writeFileSync(bad, cifarBytes(2, 4));
  const bytes = cifarBytes(2, 9);
  bytes[3073] = 57;
  writeFileSync(t, bytes);
  await expectDataError(loadCifar10(dir, { normalization: 'raw' }), t, /record 1 has label byte 57, outside 0\.\.9/);
});

test('gcnZca equals GCN then ZCA fitted on train and applied to both; threaded and inline agree', async () => {
  const d = 24;
  const nTrain = 400;
  const nTest = 50;
  const make = (n: number, salt: number, shared: boolean) => {
    const x = shared ? sharedFloat32(n * d) : new Float32Array(n * d);
    for (let s = 0; s < n; s++)
      for (let i = 0; i < d; i++) x[s * d + i] = 100 + 50 * Math.sin((s + salt) * 0.7 + i * 0.3) + ((s * 31 + i * 17 + salt) % 23);
    return x;
  };
  const trA = make(nTrain, 0, false);
  const teA = make(nTest, 999, false);
  await gcnZca(trA, teA, d, { threads: 0 });
  // by hand
  const trB = make(nTrain, 0, false);
  const teB = make(nTest, 999, false);
  globalContrastNormalize(trB, d);
  globalContrastNormalize(teB, d);
  const z = await fitZca(trB, nTrain, d, { epsilon: 1e-5 });
  await applyZca(z, trB);
  await applyZca(z, teB);
  assert.deepEqual(trA, trB);
  assert.deepEqual(teA, teB);
  // the whitened training data has mean ≈ 0
  const m = sampleMean(trA, nTrain, d);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(m[i]) < 1e-4);
  // threads
  const trC = make(nTrain, 0, true);
  const teC = make(nTest, 999, true);
  await gcnZca(trC, teC, d, { threads: 2 });
  for (let i = 0; i < trA.length; i++) assert.ok(Math.abs(trA[i] - trC[i]) < 1e-4);
  for (let i = 0; i < teA.length; i++) assert.ok(Math.abs(teA[i] - teC[i]) < 1e-4);
});

test('preprocessing cache: round trip, stale keys and damaged files are ignored, loadCifar10 uses a hit', async () => {
  const dir = tempDir();
  const d = 3072;
  const train = new Float32Array(20 * d).map((_, i) => Math.sin(i));
  const test = new Float32Array(3 * d).map((_, i) => Math.cos(i));
  const p = join(dir, 'c.f32');
  writeCache(p, 'k1', train, test, d);
  const back = readCache(p, 'k1', 20, 3, d);
  assert.ok(back);
  assert.deepEqual(back.train, train);
  assert.deepEqual(back.test, test);
  assert.equal(readCache(p, 'k2', 20, 3, d), null);
  assert.equal(readCache(p, 'k1', 21, 3, d), null);
  assert.equal(readCache(join(dir, 'absent'), 'k1', 20, 3, d), null);
  writeFileSync(p, 'garbage');
  assert.equal(readCache(p, 'k1', 20, 3, d), null);

  // A CIFAR dir whose gcn-zca result sits in the cache: loadCifar10 returns it without computing.
  const data = tempDir();
  writeCifarDir(data, 4, 3);
  const cacheDir = join(data, 'cache');
  mkdirSync(cacheDir);
  const key = cifarCacheKey(readCifar10Raw(data).key, 1e-5);
  writeCache(cacheFilePath(cacheDir, key), key, train, test, d);
  const messages: string[] = [];
  const ds = await loadCifar10(data, { cacheDir, onProgress: (m) => messages.push(m) });
  assert.deepEqual(ds.train.x, train);
  assert.deepEqual(ds.test.x, test);
  assert.equal(ds.preprocessing, 'gcn+zca(eps=0.00001)');
  assert.match(messages.join('\n'), /loaded from cache/);
  // the key depends on the data and on epsilon
  writeFileSync(join(data, 'test_batch.bin'), cifarBytes(3, 8));
  assert.notEqual(cifarCacheKey(readCifar10Raw(data).key, 1e-5), key);
  assert.notEqual(cifarCacheKey(readCifar10Raw(data).key, 1e-4), cifarCacheKey(readCifar10Raw(data).key, 1e-5));
  assert.ok(existsSync(cacheFilePath(cacheDir, key)) && readdirSync(cacheDir).length === 1);
});
