// The server's scratch-buffer response serializer: the same bytes as proto-loader's serializer,
// written into the reused buffer (so the protobufjs hook still takes effect), and protobufjs left
// as it was for everyone else. The bit-exact 1.87M-float exchange in transport.test.ts runs its
// reply chunks through it over real gRPC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isScratch, protoGrpc, SCRATCH_MAX_BYTES, scratchSerializer, withScratchResponses, type grpc } from '@deeprelax/rpc';

const coordinator = protoGrpc().deeprelax.v1.CoordinatorService.service;
const exchange = coordinator.Exchange as grpc.MethodDefinition<unknown, unknown>;

function chunk(bytes: number, fill: number): unknown {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + fill) & 0xff;
  return { chunk: { tensor: 1, offset: 3 * bytes, data } };
}

test('scratch serialization gives proto-loader\'s bytes, in the reused buffer', () => {
  const plain = exchange.responseSerialize;
  const scratch = scratchSerializer(plain);
  for (const [bytes, fill] of [[1 << 20, 1], [1000, 2], [(1 << 20) + 7, 3], [0, 4]] as const) {
    const want = Buffer.from(plain(chunk(bytes, fill)));
    const got = scratch(chunk(bytes, fill));
    assert.ok(isScratch(got), `${bytes}-byte chunk went to the scratch buffer`);
    assert.ok(got.equals(want), `${bytes}-byte chunk: same bytes`);
  }
  const header = { header: { round: 12, jobId: 'j-1', tensors: [{ name: 'x', dtype: 'DTYPE_FLOAT32', length: 5, crc32: 77 }] } };
  assert.ok(scratch(header).equals(plain(header)));
  // Afterwards protobufjs allocates fresh buffers again.
  assert.equal(isScratch(plain(chunk(1 << 16, 5)) as Buffer), false);
});

test('a message above SCRATCH_MAX_BYTES gets its own buffer; the next result reuses the scratch', () => {
  const scratch = scratchSerializer(exchange.responseSerialize);
  const big = scratch(chunk(SCRATCH_MAX_BYTES + 1, 6));
  assert.equal(isScratch(big), false);
  assert.ok(big.equals(Buffer.from(exchange.responseSerialize(chunk(SCRATCH_MAX_BYTES + 1, 6)))));
  const a = scratch(chunk(4096, 7));
  const b = scratch(chunk(4096, 8));
  assert.equal(a.buffer, b.buffer, 'one buffer for consecutive messages');
});

test('withScratchResponses wraps exactly the server-streaming methods', () => {
  const wrapped = withScratchResponses(coordinator) as unknown as Record<string, grpc.MethodDefinition<unknown, unknown>>;
  for (const [name, m] of Object.entries(coordinator) as [string, grpc.MethodDefinition<unknown, unknown>][]) {
    assert.equal(wrapped[name]!.path, m.path);
    assert.equal(wrapped[name]!.requestSerialize, m.requestSerialize, `${name}: requests untouched`);
    assert.equal(wrapped[name]!.responseSerialize === m.responseSerialize, !m.responseStream, name);
  }
});

test('a serializer re-entered during a scratch serialization gets a fresh buffer', () => {
  const plain = exchange.responseSerialize;
  const inner = scratchSerializer(plain);
  let innerBytes: Buffer | null = null;
  const outer = scratchSerializer((v: unknown) => {
    innerBytes = inner(chunk(70_000, 9));
    return plain(v);
  });
  const out = outer(chunk(70_000, 10));
  assert.ok(isScratch(out), 'the outer result uses the scratch buffer');
  assert.equal(isScratch(innerBytes!), false, 'the nested result does not share it');
  assert.ok(innerBytes!.equals(Buffer.from(plain(chunk(70_000, 9)))));
  assert.ok(out.equals(Buffer.from(plain(chunk(70_000, 10)))));
});
