import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  DataError,
  encodeIdx,
  loadIdxDataset,
  parseIdx,
  readIdxFile,
  scalePixels,
  writeIdxFile,
  type IdxArray,
} from '../src/index.js';
import { makeIdxSplit, tempDir, writeIdx, writeIdxDataset } from './helpers.js';

const ALL_TYPES: IdxArray[] = [
  { type: 'u8', dims: [2, 3, 2], data: Uint8Array.from([0, 1, 2, 127, 128, 255, 3, 4, 5, 6, 7, 250]) },
  { type: 'i8', dims: [5], data: Int8Array.from([-128, -1, 0, 1, 127]) },
  { type: 'i16', dims: [2, 2], data: Int16Array.from([-32768, -2, 300, 32767]) },
  { type: 'i32', dims: [3], data: Int32Array.from([-2147483648, 65536, 2147483647]) },
  { type: 'f32', dims: [1, 3], data: Float32Array.from([-1.5, 0, 3.25]) },
  { type: 'f64', dims: [2], data: Float64Array.from([Math.PI, -1e300]) },
];

test('IDX round trip of every element type, raw and gzipped', () => {
  const dir = tempDir();
  for (const arr of ALL_TYPES) {
    for (const gz of [false, true]) {
      const p = join(dir, `a-${arr.type}${gz ? '.gz' : ''}`);
      writeIdxFile(p, arr);
      const back = readIdxFile(p);
      assert.equal(back.type, arr.type);
      assert.deepEqual(back.dims, arr.dims);
      assert.deepEqual(Array.from(back.data), Array.from(arr.data));
      assert.equal(back.data.constructor, arr.data.constructor);
    }
  }
  // Big-endian on disk: the header of a [2,3,2] uint8 file, byte for byte.
  assert.deepEqual(Array.from(encodeIdx(ALL_TYPES[0]).subarray(0, 16)), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2]);
  assert.deepEqual(Array.from(encodeIdx(ALL_TYPES[2]).subarray(12)), [0x80, 0x00, 0xff, 0xfe, 0x01, 0x2c, 0x7f, 0xff]);
});

test('gzip is detected by magic bytes, not by name', () => {
  const dir = tempDir();
  const arr = ALL_TYPES[0];
  const p = join(dir, 'plain-name');
  writeFileSync(p, gzipSync(encodeIdx(arr)));
  assert.deepEqual(Array.from(readIdxFile(p).data), Array.from(arr.data));
});

test('IDX dataset directory reads back exactly, for raw, gzipped and mixed files, in every scaling', () => {
  for (const gz of [{}, { trainImages: true, trainLabels: true, testImages: true, testLabels: true }, { trainImages: true, testLabels: true }]) {
    const dir = tempDir();
    const { train, test: tst } = writeIdxDataset(dir, { gz });
    const ds = loadIdxDataset(dir, { scale: 'raw' });
    assert.deepEqual(ds.inputShape, [1, 4, 3]);
    assert.equal(ds.numClasses, 4);
    assert.equal(ds.train.n, 12);
    assert.equal(ds.test.n, 5);
    assert.equal(ds.train.sampleSize, 12);
    assert.deepEqual(Array.from(ds.train.x), Array.from(train.images.data));
    assert.deepEqual(Array.from(ds.train.y), Array.from(train.labels.data));
    assert.deepEqual(Array.from(ds.test.x), Array.from(tst.images.data));
    assert.deepEqual(Array.from(ds.test.y), Array.from(tst.labels.data));
    const unit = loadIdxDataset(dir);
    assert.equal(unit.preprocessing, 'unit (x/255)');
    unit.train.x.forEach((v, i) => assert.equal(v, Math.fround(train.images.data[i] / 255)));
    const lua = loadIdxDataset(dir, { scale: 'lua' });
    lua.test.x.forEach((v, i) => assert.equal(v, Math.fround((tst.images.data[i] - 126) / 126)));
  }
});

test('scalePixels on known values', () => {
  const px = Uint8Array.from([0, 126, 255]);
  assert.deepEqual(Array.from(scalePixels(px, 'raw')), [0, 126, 255]);
  assert.deepEqual(Array.from(scalePixels(px, 'unit')), [0, Math.fround(126 / 255), 1]);
  assert.deepEqual(Array.from(scalePixels(px, 'lua')), [-1, 0, Math.fround(129 / 126)]);
  assert.throws(() => scalePixels(px, 'bogus' as never), DataError);
});

test('four-dimensional IDX images are read as [n, C, H, W]; numClasses option is honoured', () => {
  const dir = tempDir();
  const img = new Uint8Array(3 * 2 * 2 * 2).map((_, i) => i);
  const lab = Uint8Array.from([0, 1, 0]);
  for (const pre of ['train', 't10k']) {
    writeIdx(dir, `${pre}-images-idx3-ubyte`, { type: 'u8', dims: [3, 2, 2, 2], data: img });
    writeIdx(dir, `${pre}-labels-idx1-ubyte`, { type: 'u8', dims: [3], data: lab });
  }
  const ds = loadIdxDataset(dir, { numClasses: 10, name: 'tiny' });
  assert.deepEqual(ds.inputShape, [2, 2, 2]);
  assert.equal(ds.numClasses, 10);
  assert.equal(ds.name, 'tiny');
});

// ---- errors ---------------------------------------------------------------------------------

function expectDataError(fn: () => unknown, file: string | RegExp, problem: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.match(e.message, typeof file === 'string' ? new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : file);
    assert.match(e.message, problem);
    return true;
  });
}

test('missing directory and missing files are named', () => {
  const dir = tempDir();
  expectDataError(() => loadIdxDataset(join(dir, 'nope')), join(dir, 'nope'), /does not exist/);
  writeIdxDataset(dir);
  rmSync(join(dir, 't10k-labels-idx1-ubyte'));
  expectDataError(() => loadIdxDataset(dir), dir, /missing test labels.*t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte\.gz/);
  expectDataError(() => readIdxFile(join(dir, 'absent')), join(dir, 'absent'), /does not exist/);
});

test('wrong magic numbers', () => {
  const dir = tempDir();
  writeIdxDataset(dir);
  const p = join(dir, 'train-images-idx3-ubyte');
  const bytes = readFileSync(p);
  bytes[0] = 0x12;
  writeFileSync(p, bytes);
  expectDataError(() => loadIdxDataset(dir), p, /bad magic number 0x12000803/);
  bytes[0] = 0;
  bytes[2] = 0x07; // unknown element type
  writeFileSync(p, bytes);
  expectDataError(() => loadIdxDataset(dir), p, /bad magic number 0x00000703/);
  // a label file where images are expected (valid IDX, wrong kind)
  writeFileSync(p, readFileSync(join(dir, 'train-labels-idx1-ubyte')));
  expectDataError(() => loadIdxDataset(dir), p, /1 dimensions.*expected 3/);
  // images where labels are expected
  writeIdxDataset(dir);
  const l = join(dir, 't10k-labels-idx1-ubyte');
  writeFileSync(l, readFileSync(join(dir, 't10k-images-idx3-ubyte')));
  expectDataError(() => loadIdxDataset(dir), l, /label file has 3 dimensions/);
  expectDataError(() => parseIdx(Uint8Array.from([0, 0]), 'short.idx'), 'short.idx', /too short/);
});

test('truncated data, truncated header, trailing bytes, corrupt gzip', () => {
  const dir = tempDir();
  writeIdxDataset(dir);
  const p = join(dir, 't10k-images-idx3-ubyte');
  truncateSync(p, 16 + 5 * 12 - 7);
  expectDataError(() => loadIdxDataset(dir), p, /truncated IDX data.*need 60 bytes.*found 53/);
  truncateSync(p, 10);
  expectDataError(() => loadIdxDataset(dir), p, /truncated IDX header/);
  writeIdxDataset(dir);
  appendFileSync(p, Buffer.from([1, 2, 3]));
  expectDataError(() => loadIdxDataset(dir), p, /3 unexpected trailing bytes/);
  // gzip cut short
  writeIdxDataset(dir);
  rmSync(p);
  const gz = gzipSync(encodeIdx(makeIdxSplit(5, 4, 3, 4, 2).images));
  writeFileSync(p + '.gz', gz.subarray(0, gz.length - 10));
  expectDataError(() => loadIdxDataset(dir), p + '.gz', /corrupt or truncated gzip/);
});

test('label/image count mismatch, label range, train/test shape mismatch, float labels', () => {
  const dir = tempDir();
  writeIdxDataset(dir);
  const l = join(dir, 'train-labels-idx1-ubyte');
  writeIdx(dir, 'train-labels-idx1-ubyte', { type: 'u8', dims: [11], data: new Uint8Array(11) });
  expectDataError(() => loadIdxDataset(dir), l, /label\/image count mismatch: 11 labels in train-labels-idx1-ubyte but 12 images/);
  writeIdxDataset(dir);
  expectDataError(() => loadIdxDataset(dir, { numClasses: 3 }), l, /label 2 is 3, outside 0\.\.2/);
  writeIdx(dir, 'train-labels-idx1-ubyte', { type: 'f32', dims: [12], data: new Float32Array(12) });
  expectDataError(() => loadIdxDataset(dir), l, /float|f32/);
  writeIdx(dir, 'train-labels-idx1-ubyte', { type: 'i8', dims: [12], data: new Int8Array(12).fill(-1) });
  expectDataError(() => loadIdxDataset(dir), l, /negative/);
  writeIdxDataset(dir);
  const t = join(dir, 't10k-images-idx3-ubyte');
  writeIdx(dir, 't10k-images-idx3-ubyte', { type: 'u8', dims: [5, 3, 4], data: new Uint8Array(60) });
  expectDataError(() => loadIdxDataset(dir), t, /test images are \[1,3,4\] but training images are \[1,4,3\]/);
});

test('dotted file-name variants are accepted; raw is preferred over .gz when both exist', () => {
  const dir = tempDir();
  writeIdxDataset(dir);
  renameSync(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-images.idx3-ubyte'));
  assert.equal(loadIdxDataset(dir).train.n, 12);
  writeIdx(dir, 't10k-labels-idx1-ubyte.gz', { type: 'u8', dims: [4], data: new Uint8Array(4) });
  assert.equal(loadIdxDataset(dir).test.n, 5);
});
