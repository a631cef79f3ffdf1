// Shared test helpers: temporary directories and tiny files in the real on-disk formats.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after } from 'node:test';
import { encodeIdx, type IdxArray } from '../src/index.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'deeprelax-data-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function writeIdx(dir: string, name: string, arr: IdxArray, gzip = name.endsWith('.gz')): string {
  const p = join(dir, name);
  const bytes = encodeIdx(arr);
  writeFileSync(p, gzip ? gzipSync(bytes) : bytes);
  return p;
}

/** A small deterministic IDX dataset: n images of h×w uint8 and labels in 0..k-1. */
export function makeIdxSplit(n: number, h: number, w: number, k: number, salt: number): { images: IdxArray; labels: IdxArray } {
  const img = new Uint8Array(n * h * w);
  for (let i = 0; i < img.length; i++) img[i] = (i * 37 + salt * 11) % 256;
  const lab = new Uint8Array(n);
  for (let i = 0; i < n; i++) lab[i] = (i + salt) % k;
  return { images: { type: 'u8', dims: [n, h, w], data: img }, labels: { type: 'u8', dims: [n], data: lab } };
}

/** Writes the four standard files of an IDX dataset; `gz` picks which get a .gz suffix (and gzip). */
export function writeIdxDataset(
  dir: string,
  opts: { nTrain?: number; nTest?: number; h?: number; w?: number; k?: number; gz?: Partial<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', boolean>> } = {},
) {
  const { nTrain = 12, nTest = 5, h = 4, w = 3, k = 4, gz = {} } = opts;
  const train = makeIdxSplit(nTrain, h, w, k, 1);
  const test = makeIdxSplit(nTest, h, w, k, 2);
  const sfx = (b: boolean | undefined) => (b ? '.gz' : '');
  writeIdx(dir, 'train-images-idx3-ubyte' + sfx(gz.trainImages), train.images);
  writeIdx(dir, 'train-labels-idx1-ubyte' + sfx(gz.trainLabels), train.labels);
  writeIdx(dir, 't10k-images-idx3-ubyte' + sfx(gz.testImages), test.images);
  writeIdx(dir, 't10k-labels-idx1-ubyte' + sfx(gz.testLabels), test.labels);
  return { train, test };
}

/** Bytes of a CIFAR-10 binary file with n records; pixel values and labels derived from salt. */
export function cifarBytes(n: number, salt: number): Uint8Array {
  const out = new Uint8Array(n * 3073);
  for (let i = 0; i < n; i++) {
    const o = i * 3073;
    out[o] = (i * 3 + salt) % 10;
    for (let p = 0; p < 3072; p++) out[o + 1 + p] = (p * 7 + i * 13 + salt * 31 + ((p * p) >> 5)) % 256;
  }
  return out;
}

/** A tiny CIFAR-10 directory: five training files of nPerFile records and a test file of nTest. */
export function writeCifarDir(dir: string, nPerFile = 4, nTest = 3): { train: Uint8Array[]; test: Uint8Array } {
  const train: Uint8Array[] = [];
  for (let b = 1; b <= 5; b++) {
    const bytes = cifarBytes(nPerFile, b);
    train.push(bytes);
    writeFileSync(join(dir, `data_batch_${b}.bin`), bytes);
  }
  const test = cifarBytes(nTest, 9);
  writeFileSync(join(dir, 'test_batch.bin'), test);
  return { train, test };
}
