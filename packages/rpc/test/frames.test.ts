import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chunkTensors,
  DataLossError,
  DEFAULT_CHUNK_BYTES,
  encodeTensors,
  InvalidArgumentError,
  MAX_MESSAGE_BYTES,
  ResourceExhaustedError,
  RpcError,
  TensorAssembler,
  type TensorChunk,
  type TensorHeader__Output,
} from '@deeprelax/rpc';
import { bitsEqual, testVector } from './helpers.js';

function catchErr(f: () => unknown): RpcError {
  try {
    f();
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw e;
  }
  assert.fail('expected an RpcError');
}

function asOutput(chunks: TensorChunk[]) {
  return chunks.map((c) => ({ tensor: Number(c.tensor), offset: Number(c.offset), data: c.data as Buffer, crc32: Number(c.crc32 ?? 0) }));
}

test('chunks stay well under the message limit and reassemble bit-exactly (several tensors)', () => {
  const x = testVector(1_867_786, 7);
  const z = testVector(1000, 8);
  const empty = new Float32Array(0);
  const enc = encodeTensors([
    { name: 'x', values: x },
    { name: 'empty', values: empty },
    { name: 'z', values: z, shape: [10, 100] },
  ]);
  assert.equal(enc[0]!.header.byteLength, 1_867_786 * 4);
  const chunks = asOutput([...chunkTensors(enc)]);
  assert.equal(chunks.length, Math.ceil((1_867_786 * 4) / DEFAULT_CHUNK_BYTES) + 1);
  for (const c of chunks) assert.ok(c.data.length <= DEFAULT_CHUNK_BYTES && DEFAULT_CHUNK_BYTES * 2 <= MAX_MESSAGE_BYTES);
  const asm = new TensorAssembler(enc.map((e) => e.header as TensorHeader__Output));
  for (const c of chunks) asm.push(c);
  assert.ok(asm.complete);
  const out = asm.finish();
  assert.deepEqual(out.map((t) => t.name), ['x', 'empty', 'z']);
  assert.ok(bitsEqual(out[0]!.values, x));
  assert.equal(out[1]!.values.length, 0);
  assert.ok(bitsEqual(out[2]!.values, z));
  assert.deepEqual(out[2]!.shape, [10, 100]);
});

test('float16 stream: half the bytes, values within half precision', () => {
  const x = new Float32Array(5000).map((_, i) => Math.sin(i));
  const enc = encodeTensors([{ name: 'x', values: x }], 'float16');
  assert.equal(enc[0]!.header.byteLength, 10_000);
  assert.equal(enc[0]!.header.dtype, 'DTYPE_FLOAT16');
  const asm = new TensorAssembler([enc[0]!.header]);
  for (const c of asOutput([...chunkTensors(enc, 3000)])) asm.push(c);
  const [t] = asm.finish();
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(t!.values[i]! - x[i]!) <= 2 ** -11 * Math.abs(x[i]!) + 1e-7);
});

test('receiving into a preallocated array', () => {
  const x = testVector(10_000, 3);
  const target = new Float32Array(10_000);
  const enc = encodeTensors([{ name: 'x', values: x }]);
  const asm = new TensorAssembler([enc[0]!.header], {}, {}, 'h', { x: target });
  for (const c of asOutput([...chunkTensors(enc, 4096)])) asm.push(c);
  const [t] = asm.finish();
  assert.equal(t!.values, target);
  assert.ok(bitsEqual(target, x));
});

function setup(n = 10_000, chunk = 8192, checksums: 'chunk' | 'tensor' = 'chunk') {
  const enc = encodeTensors([{ name: 'x', values: testVector(n, 5) }], 'float32', checksums);
  return { header: { ...enc[0]!.header } as TensorHeader__Output, chunks: asOutput([...chunkTensors(enc, chunk)]) };
}

test('checksum mismatch -> DataLoss naming the crc field: at the chunk (chunk checksums), at the end (whole tensor)', () => {
  // Chunk checksums (the default): the bad chunk is refused when it arrives, before its bytes land.
  const chunked = setup();
  assert.equal(chunked.header.chunkChecksums, true);
  assert.equal(chunked.header.crc32, 0);
  const into = new Float32Array(10_000);
  chunked.chunks[2]!.data = Buffer.from(chunked.chunks[2]!.data);
  chunked.chunks[2]!.data[17]! ^= 0x01; // one flipped bit
  const asm = new TensorAssembler([chunked.header], {}, {}, 'header.tensors', { x: into });
  asm.push(chunked.chunks[0]!);
  asm.push(chunked.chunks[1]!);
  const e = catchErr(() => asm.push(chunked.chunks[2]!));
  assert.ok(e instanceof DataLossError);
  assert.equal(e.reason, 'checksum');
  assert.equal(e.field, 'chunk.crc32');
  assert.match(e.message, /chunk at byte 16384 of tensor "x"/);
  assert.ok(into.subarray(4096).every((v) => v === 0), 'the bad chunk\'s bytes were not written');
  // Whole-tensor checksum (chunk_checksums false): found at the end, naming the header's field.
  const whole = setup(10_000, 8192, 'tensor');
  assert.equal(whole.header.chunkChecksums, false);
  whole.chunks[2]!.data = Buffer.from(whole.chunks[2]!.data);
  whole.chunks[2]!.data[17]! ^= 0x01;
  const asm2 = new TensorAssembler([whole.header]);
  for (const c of whole.chunks) asm2.push(c);
  const e2 = catchErr(() => asm2.finish());
  assert.ok(e2 instanceof DataLossError);
  assert.equal(e2.reason, 'checksum');
  assert.equal(e2.field, 'header.tensors[0].crc32');
  // Both modes reassemble an intact stream bit-exactly, whatever the chunk size.
  for (const mode of ['chunk', 'tensor'] as const) {
    const { header, chunks } = setup(10_001, 4097, mode);
    const ok = new TensorAssembler([header]);
    for (const c of chunks) ok.push(c);
    assert.ok(bitsEqual(ok.finish()[0]!.values, testVector(10_001, 5)), mode);
  }
});

test('truncated stream -> DataLoss (truncated)', () => {
  const { header, chunks } = setup();
  const asm = new TensorAssembler([header]);
  for (const c of chunks.slice(0, -1)) asm.push(c);
  assert.equal(asm.complete, false);
  const e = catchErr(() => asm.finish());
  assert.ok(e instanceof DataLossError);
  assert.equal(e.reason, 'truncated');
});

test('out-of-order, duplicated, overrunning and foreign chunks -> InvalidArgument', () => {
  const { header, chunks } = setup();
  let asm = new TensorAssembler([header]);
  asm.push(chunks[0]!);
  let e = catchErr(() => asm.push(chunks[2]!));
  assert.ok(e instanceof InvalidArgumentError);
  assert.equal(e.field, 'chunk.offset');
  assert.equal(e.reason, 'order');
  e = catchErr(() => asm.push(chunks[0]!)); // duplicate
  assert.equal(e.field, 'chunk.offset');
  e = catchErr(() => asm.push({ ...chunks[1]!, tensor: 1 }));
  assert.equal(e.field, 'chunk.tensor');
  asm = new TensorAssembler([header]);
  for (const c of chunks) asm.push(c);
  e = catchErr(() => asm.push({ tensor: 0, offset: header.byteLength, data: Buffer.alloc(4) }));
  assert.ok(e instanceof InvalidArgumentError); // after the end
  asm = new TensorAssembler([header]);
  e = catchErr(() => asm.push({ tensor: 0, offset: 0, data: Buffer.alloc(header.byteLength + 4) }));
  assert.ok(e instanceof InvalidArgumentError || e instanceof ResourceExhaustedError);
  const small = setup(10, 4096);
  asm = new TensorAssembler([small.header]);
  e = catchErr(() => asm.push({ tensor: 0, offset: 0, data: Buffer.alloc(44) }));
  assert.ok(e instanceof InvalidArgumentError);
  assert.equal(e.field, 'chunk.data');
  e = catchErr(() => asm.push({ tensor: 0, offset: 0, data: Buffer.alloc(0) }));
  assert.equal(e.field, 'chunk.data');
});

test('oversize tensors and chunks -> ResourceExhausted, checked before allocating', () => {
  const { header } = setup();
  let e = catchErr(() => new TensorAssembler([{ ...header, length: 2 ** 40, byteLength: 2 ** 42 }]));
  assert.ok(e instanceof ResourceExhaustedError);
  assert.equal(e.reason, 'oversize');
  assert.equal(e.field, 'header.tensors[0].byte_length');
  e = catchErr(() => new TensorAssembler([header], { maxTensorBytes: 1000 }));
  assert.ok(e instanceof ResourceExhaustedError);
  const asm = new TensorAssembler([header], { maxChunkBytes: 1024 });
  e = catchErr(() => asm.push({ tensor: 0, offset: 0, data: Buffer.alloc(2048) }));
  assert.ok(e instanceof ResourceExhaustedError);
  assert.equal(e.field, 'chunk.data');
  e = catchErr(() => new TensorAssembler(Array.from({ length: 17 }, (_, i) => ({ ...header, name: `t${i}` }))));
  assert.ok(e instanceof ResourceExhaustedError);
});

test('inconsistent or unexpected headers -> InvalidArgument naming the field', () => {
  const { header } = setup();
  let e = catchErr(() => new TensorAssembler([{ ...header, byteLength: header.byteLength - 4 }]));
  assert.equal(e.field, 'header.tensors[0].byte_length');
  assert.equal(e.reason, 'size');
  e = catchErr(() => new TensorAssembler([header, header]));
  assert.equal(e.field, 'header.tensors[1].name');
  e = catchErr(() => new TensorAssembler([{ ...header, name: '' }]));
  assert.equal(e.field, 'header.tensors[0].name');
  e = catchErr(() => new TensorAssembler([header], {}, { lengths: { x: 9999 } }));
  assert.equal(e.field, 'header.tensors[0].length');
  e = catchErr(() => new TensorAssembler([header], {}, { names: ['x', 'z'] }));
  assert.equal(e.field, 'header.tensors');
  e = catchErr(() => new TensorAssembler([header], {}, { dtypes: ['float16'] }));
  assert.equal(e.field, 'header.tensors[0].dtype');
  e = catchErr(() => new TensorAssembler([{ ...header, dtype: 'DTYPE_BOGUS' as never }]));
  assert.equal(e.field, 'header.tensors[0].dtype');
});

test('non-finite values rejected when required', () => {
  const v = testVector(100, 1);
  v[42] = NaN;
  const enc = encodeTensors([{ name: 'x', values: v }]);
  const lax = new TensorAssembler([enc[0]!.header]);
  for (const c of asOutput([...chunkTensors(enc)])) lax.push(c);
  assert.ok(Number.isNaN(lax.finish()[0]!.values[42]!));
  const strict = new TensorAssembler([enc[0]!.header], { requireFinite: true });
  for (const c of asOutput([...chunkTensors(enc)])) strict.push(c);
  const e = catchErr(() => strict.finish());
  assert.ok(e instanceof InvalidArgumentError);
  assert.equal(e.reason, 'non-finite');
  assert.match(e.message, /index 42/);
});

test('non-finite values found as chunks arrive: values split across chunks, the first one reported, checksum first', () => {
  // Chunks of 7 bytes split most float32 values in two; Inf at 25 (bytes 100-103 span chunks
  // 14 and 15) and NaN at 60: the first is reported, and only once the stream is complete.
  const v = testVector(100, 3);
  v[25] = Number.POSITIVE_INFINITY;
  v[60] = Number.NaN;
  const enc = encodeTensors([{ name: 'x', values: v }]);
  const strict = new TensorAssembler([enc[0]!.header], { requireFinite: true });
  for (const c of asOutput([...chunkTensors(enc, 7)])) strict.push(c);
  const e = catchErr(() => strict.finish());
  assert.ok(e instanceof InvalidArgumentError);
  assert.equal(e.reason, 'non-finite');
  assert.match(e.message, /\(Infinity\) at index 25/);
  // The last value alone non-finite, in the last 3-byte chunk.
  const w = testVector(100, 4);
  w[99] = Number.NEGATIVE_INFINITY;
  const encW = encodeTensors([{ name: 'x', values: w }]);
  const last = new TensorAssembler([encW[0]!.header], { requireFinite: true });
  for (const c of asOutput([...chunkTensors(encW, 7)])) last.push(c);
  assert.match(catchErr(() => last.finish()).message, /index 99/);
  // A finite tensor in odd chunks passes, bit-exactly.
  const ok = new TensorAssembler([encodeTensors([{ name: 'x', values: testVector(100, 5) }])[0]!.header], { requireFinite: true });
  for (const c of asOutput([...chunkTensors(encodeTensors([{ name: 'x', values: testVector(100, 5) }]), 7)])) ok.push(c);
  assert.ok(bitsEqual(ok.finish()[0]!.values, testVector(100, 5)));
  // A corrupted stream that also holds a NaN reports the checksum (whole-tensor mode, where the
  // checksum is only known at the end; chunk checksums stop the stream at the bad chunk).
  const encWhole = encodeTensors([{ name: 'x', values: v }], 'float32', 'tensor');
  const chunks = asOutput([...chunkTensors(encWhole, 7)]);
  chunks[3]!.data = Buffer.from(chunks[3]!.data);
  chunks[3]!.data[0]! ^= 0x10;
  const both = new TensorAssembler([encWhole[0]!.header], { requireFinite: true });
  for (const c of chunks) both.push(c);
  assert.equal(catchErr(() => both.finish()).reason, 'checksum');
});

test('encodeTensors rejects duplicate and empty names', () => {
  assert.throws(() => encodeTensors([{ name: 'x', values: new Float32Array(1) }, { name: 'x', values: new Float32Array(1) }]), InvalidArgumentError);
  assert.throws(() => encodeTensors([{ name: '', values: new Float32Array(1) }]), InvalidArgumentError);
});
