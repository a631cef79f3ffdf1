// CIFAR-10, binary version (cifar-10-binary.tar.gz, folder cifar-10-batches-bin):
// data_batch_1.bin .. data_batch_5.bin (training) and test_batch.bin, each a sequence of 3073-byte
// records: 1 label byte (0..9) then 3072 pixel bytes, channel-major (1024 R, 1024 G, 1024 B, each
// 32×32 row-major). Files may be gzip-compressed (.bin.gz).
//
// Normalisations (ALGORITHMS.md §3.1):
//   'gcn-zca' (default): per-image GCN, then ZCA fitted on train and applied to both; the All-CNN
//             protocol of [ESGD-LUA]/[DR-CODE] process_cifar.py. The first run takes minutes (a
//             3072×3072 eigendecomposition and two n·d² products); the result is cached on disk.
//   'gcn':    per-image GCN only.   'channel': per-channel (x−mean)/std with the WRN constants of
//   [DE-CODE].   'unit': x/255.   'raw': 0..255.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from './errors.js';
import { findFile, readMaybeGzip, requireDirectory } from './files.js';
import { makeSplit, type Dataset } from './dataset.js';
import { KernelPool, defaultThreads, sharedFloat32 } from './pool.js';
import { applyZca, channelNormalize, fitZca, globalContrastNormalize } from './preprocess.js';

export const CIFAR10_SHAPE: [number, number, number] = [3, 32, 32];
export const CIFAR10_RECORD_BYTES = 3073;
const PIXELS = 3072;
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR10_TEST_FILES = ['test_batch.bin'];
/** Per-channel mean and std on the 0..255 scale used by [DE-CODE] for wide ResNets. */
export const CIFAR10_CHANNEL_MEAN = [125.3, 123.0, 113.9];
export const CIFAR10_CHANNEL_STD = [63.0, 62.1, 66.7];

export type CifarNormalization = 'gcn-zca' | 'gcn' | 'channel' | 'unit' | 'raw';
export const CIFAR_NORMALIZATIONS: readonly CifarNormalization[] = ['gcn-zca', 'gcn', 'channel', 'unit', 'raw'];

export interface Cifar10Options {
  /** Default 'gcn-zca' (the All-CNN protocol). */
  normalization?: CifarNormalization;
  /** ZCA regulariser added to the singular values; default 1e-5. */
  zcaEpsilon?: number;
  /**
   * Where to cache the 'gcn-zca' result: a directory, or false for no cache. Default
   * `<dir>/.deeprelax-cache`, falling back to `<os tmpdir>/deeprelax-cache` when that is not writable.
   * The cache file is keyed by a SHA-256 of the source files and the options.
   */
  cacheDir?: string | false;
  /** Worker threads for the ZCA kernels; 0 runs them on the calling thread. Default min(cores, 8). */
  threads?: number;
  /** Progress messages for logs (this package never prints). */
  onProgress?: (message: string) => void;
}

/** Raw CIFAR records: pixels n×3072 bytes (CHW), labels n. */
export interface CifarRawSplit {
  pixels: Uint8Array;
  labels: Int32Array;
  n: number;
  files: string[];
}

/** Resolves the directory holding the .bin files: `dir` itself or its cifar-10-batches-bin child. */
export function cifar10Directory(dir: string): string {
  requireDirectory(dir, 'CIFAR-10');
  const has = (d: string) => existsSync(join(d, 'test_batch.bin')) || existsSync(join(d, 'test_batch.bin.gz'));
  if (!has(dir) && has(join(dir, 'cifar-10-batches-bin'))) return join(dir, 'cifar-10-batches-bin');
  return dir;
}

/** Parses one CIFAR-10 binary file into pixels and labels, checking its size and labels. */
export function parseCifarFile(bytes: Uint8Array, file: string): { pixels: Uint8Array; labels: Int32Array; n: number } {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DataError(
      `wrong CIFAR-10 file size: ${bytes.length} bytes is not a positive whole number of ` +
        `${CIFAR10_RECORD_BYTES}-byte records (1 label byte + 3072 pixel bytes; a standard batch file is ` +
        `${10000 * CIFAR10_RECORD_BYTES} bytes)`,
      file,
    );
  }
  const n = bytes.length / CIFAR10_RECORD_BYTES;
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * CIFAR10_RECORD_BYTES;
    const label = bytes[o];
    if (label > 9) throw new DataError(`record ${i} has label byte ${label}, outside 0..9 (is this CIFAR-100?)`, file);
    labels[i] = label;
    pixels.set(bytes.subarray(o + 1, o + CIFAR10_RECORD_BYTES), i * PIXELS);
  }
  return { pixels, labels, n };
}

function readCifarFiles(dir: string, names: readonly string[], what: string, hash: ReturnType<typeof createHash>): CifarRawSplit {
  const parts = names.map((name) => {
    const file = findFile(dir, [name], `${what} file ${name}`);
    const bytes = readMaybeGzip(file);
    hash.update(name).update(bytes);
    return { file, ...parseCifarFile(bytes, file) };
  });
  const n = parts.reduce((a, p) => a + p.n, 0);
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  let k = 0;
  for (const p of parts) {
    pixels.set(p.pixels, k * PIXELS);
    labels.set(p.labels, k);
    k += p.n;
  }
  return { pixels, labels, n, files: parts.map((p) => p.file) };
}

/** Reads the six CIFAR-10 binary files; `key` is a SHA-256 over their names and contents. */
export function readCifar10Raw(dir: string): { train: CifarRawSplit; test: CifarRawSplit; dir: string; key: string } {
  const d = cifar10Directory(dir);
  const hash = createHash('sha256');
  const train = readCifarFiles(d, CIFAR10_TRAIN_FILES, 'training', hash);
  const test = readCifarFiles(d, CIFAR10_TEST_FILES, 'test', hash);
  return { train, test, dir: d, key: hash.digest('hex') };
}

function toFloat(pixels: Uint8Array, shared: boolean, scale: number): Float32Array {
  const x = shared ? sharedFloat32(pixels.length) : new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] * scale;
  return x;
}

/** Loads CIFAR-10 from a directory of the binary version; see Cifar10Options for preprocessing. */
export async function loadCifar10(dir: string, options: Cifar10Options = {}): Promise<Dataset> {
  const normalization = options.normalization ?? 'gcn-zca';
  if (!CIFAR_NORMALIZATIONS.includes(normalization)) {
    throw new DataError(`unknown CIFAR-10 normalization '${normalization}' (expected one of ${CIFAR_NORMALIZATIONS.join(', ')})`);
  }
  const epsilon = options.zcaEpsilon ?? 1e-5;
  const progress = options.onProgress ?? (() => {});
  const raw = readCifar10Raw(dir);
  const dataset = (train: Float32Array, test: Float32Array, preprocessing: string): Dataset => ({
    name: 'cifar10',
    inputShape: [...CIFAR10_SHAPE],
    numClasses: 10,
    train: makeSplit(train, raw.train.labels, PIXELS, raw.train.files[0]),
    test: makeSplit(test, raw.test.labels, PIXELS, raw.test.files[0]),
    preprocessing,
  });

  if (normalization !== 'gcn-zca') {
    const scale = normalization === 'unit' ? 1 / 255 : 1;
    const train = toFloat(raw.train.pixels, false, scale);
    const test = toFloat(raw.test.pixels, false, scale);
    if (normalization === 'gcn') {
      globalContrastNormalize(train, PIXELS);
      globalContrastNormalize(test, PIXELS);
    } else if (normalization === 'channel') {
      channelNormalize(train, CIFAR10_SHAPE, CIFAR10_CHANNEL_MEAN, CIFAR10_CHANNEL_STD);
      channelNormalize(test, CIFAR10_SHAPE, CIFAR10_CHANNEL_MEAN, CIFAR10_CHANNEL_STD);
    }
    const what = { gcn: 'gcn', channel: 'channel mean/std', unit: 'unit (x/255)', raw: 'raw (0..255)' }[normalization];
    return dataset(train, test, what);
  }

  const preprocessing = `gcn+zca(eps=${epsilon})`;
  const key = cifarCacheKey(raw.key, epsilon);
  const cacheDirs = options.cacheDir === false ? [] : cacheDirectories(options.cacheDir ?? null, raw.dir);
  for (const dir of cacheDirs) {
    const path = cacheFilePath(dir, key);
    const hit = readCache(path, key, raw.train.n, raw.test.n, PIXELS);
    if (hit) {
      progress(`CIFAR-10 ${preprocessing} loaded from cache ${path}`);
      return dataset(hit.train, hit.test, preprocessing);
    }
  }
  const threads = options.threads ?? defaultThreads();
  const train = toFloat(raw.train.pixels, threads > 0, 1);
  const test = toFloat(raw.test.pixels, threads > 0, 1);
  await gcnZca(train, test, PIXELS, { epsilon, threads, onProgress: progress });
  if (cacheDirs.length > 0) {
    const written = writeCacheSomewhere(cacheDirs, key, train, test, PIXELS);
    progress(written ? `CIFAR-10: cached at ${written}` : `CIFAR-10: could not write a cache file in ${cacheDirs.join(' or ')}`);
  }
  return dataset(train, test, preprocessing);
}

/**
 * The All-CNN preprocessing of process_cifar.py, in place: per-image GCN of train and test, then
 * ZCA fitted on train and applied to both. With threads > 0 the arrays must be
 * SharedArrayBuffer-backed (see sharedFloat32).
 */
export async function gcnZca(
  train: Float32Array,
  test: Float32Array,
  d: number,
  options: { epsilon?: number; threads?: number; onProgress?: (message: string) => void } = {},
): Promise<void> {
  const progress = options.onProgress ?? (() => {});
  const threads = options.threads ?? defaultThreads();
  const nTrain = train.length / d;
  const pool = new KernelPool(threads);
  try {
    globalContrastNormalize(train, d);
    globalContrastNormalize(test, d);
    const t0 = Date.now();
    progress(`fitting ZCA whitening (d=${d}) on ${nTrain} samples with ${threads} threads; at d=3072 this takes minutes`);
    const zca = await fitZca(train, nTrain, d, { epsilon: options.epsilon, pool });
    progress(`ZCA fitted in ${((Date.now() - t0) / 1000).toFixed(1)} s; whitening train and test`);
    await applyZca(zca, train, pool);
    await applyZca(zca, test, pool);
    progress(`GCN+ZCA done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await pool.close();
  }
}

/** The cache key of a gcn-zca result: source-file hash, epsilon and a format version. */
export function cifarCacheKey(sourceKey: string, epsilon: number): string {
  return createHash('sha256').update(`deeprelax-cifar10-v1|gcn+zca(eps=${epsilon})|${sourceKey}`).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// The preprocessing cache: one file per key.
//   8 bytes magic "DRDATA01" | uint32 LE header length H | H bytes JSON header (space-padded so
//   the data starts at a multiple of 8) | train floats | test floats (float32, little-endian).

const MAGIC = 'DRDATA01';

export function cacheFilePath(dir: string, key: string): string {
  return join(dir, `cifar10-${key.slice(0, 24)}.f32`);
}

interface CacheHeader {
  key: string;
  nTrain: number;
  nTest: number;
  sampleSize: number;
  endianness: 'LE';
}

function readFully(fd: number, target: Uint8Array, position: number): void {
  let done = 0;
  while (done < target.length) {
    const r = readSync(fd, target, done, Math.min(target.length - done, 1 << 30), position + done);
    if (r <= 0) throw new Error('short read');
    done += r;
  }
}

/** Reads a cache file; null when it is absent, stale, or damaged (it will be rewritten). */
export function readCache(path: string, key: string, nTrain: number, nTest: number, d: number): { train: Float32Array; test: Float32Array } | null {
  if (!existsSync(path)) return null;
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(12);
    readFully(fd, head, 0);
    if (Buffer.from(head.subarray(0, 8)).toString('latin1') !== MAGIC) return null;
    const h = new DataView(head.buffer).getUint32(8, true);
    if (h > 1 << 16) return null;
    const hb = new Uint8Array(h);
    readFully(fd, hb, 12);
    const header = JSON.parse(Buffer.from(hb).toString('utf8')) as CacheHeader;
    if (header.key !== key || header.nTrain !== nTrain || header.nTest !== nTest || header.sampleSize !== d || header.endianness !== 'LE') {
      return null;
    }
    const train = new Float32Array(nTrain * d);
    const test = new Float32Array(nTest * d);
    readFully(fd, new Uint8Array(train.buffer), 12 + h);
    readFully(fd, new Uint8Array(test.buffer), 12 + h + train.byteLength);
    return { train, test };
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Writes a cache file atomically (temp file + rename). Throws on I/O errors. */
export function writeCache(path: string, key: string, train: Float32Array, test: Float32Array, d: number): void {
  const header: CacheHeader = { key, nTrain: train.length / d, nTest: test.length / d, sampleSize: d, endianness: 'LE' };
  let json = JSON.stringify(header);
  while ((12 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const hb = Buffer.from(json, 'utf8');
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(hb.length, 8);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of [head, hb, new Uint8Array(train.buffer, train.byteOffset, train.byteLength), new Uint8Array(test.buffer, test.byteOffset, test.byteLength)]) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, Math.min(chunk.length - done, 1 << 30));
    }
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** The explicit cache directory, or next to the data then under the OS temp directory. */
export function cacheDirectories(explicit: string | null, dataDir: string): string[] {
  return explicit !== null ? [explicit] : [join(dataDir, '.deeprelax-cache'), join(tmpdir(), 'deeprelax-cache')];
}

function writeCacheSomewhere(dirs: string[], key: string, train: Float32Array, test: Float32Array, d: number): string | null {
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { recursive: true });
      const path = cacheFilePath(dir, key);
      writeCache(path, key, train, test, d);
      return path;
    } catch {
      // try the next location
    }
  }
  return null;
}
