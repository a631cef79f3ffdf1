// When exchangeHandler calls an ExchangeResult's `release`. The coordinator recycles the arrays a
// reply carries (sync EASGD's old x, async EASGD's Δ, Parle's mean z) as soon as `release` runs, so
// a release while chunks of the reply still wait unserialized in the stream's buffer would send
// later values under this reply's checksum. Float32 chunks are views of the array, and grpc-js
// serializes a queued message only once the previous one has gone to HTTP/2, so a reply of a few
// chunks is still queued, as views, when the handler's last write() returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CoordinatorClient,
  createCoordinatorServiceStub,
  exchangeHandler,
  MessageReader,
  receiveTensorStream,
  TensorNames,
  tensorStreamMessages,
  writeMessages,
  type CoordinatorServiceHandlers,
  type ExchangeHeader,
  type ExchangeReply__Output,
  type ExchangeRequest,
  type ExchangeResponse__Output,
} from '@deeprelax/rpc';
import { bitsEqual, startServer, testVector } from './helpers.js';

const CHUNK = 16 << 10;
const WINDOW = 64 << 10; // the client accepts 64 KiB at a time
const channelOptions = { 'grpc-node.flow_control_window': WINDOW };

interface Log {
  released: number;
  /** Reply messages queued in the call's writable buffer (not yet serialized) during the writes. */
  queuedAtEnd: number;
}

/** A coordinator whose reply is `reply`, in 16 KiB chunks; `release` poisons it, as reuse would. */
function poisoningCoordinator(reply: Float32Array, log: Log, onReply: () => void = () => {}): Partial<CoordinatorServiceHandlers> {
  return {
    Exchange: exchangeHandler(async (ctx) => {
      onReply();
      // Runs while the handler writes its reply: how much of it is queued, not yet serialized.
      setImmediate(() => (log.queuedAtEnd = (ctx.call as unknown as { writableLength: number }).writableLength));
      return {
        reply: { jobId: ctx.header.jobId, round: ctx.header.round + 1, phase: 0, contributors: 1 },
        tensors: [{ name: TensorNames.center, values: reply }],
        chunkBytes: CHUNK,
        // Every chunk written at once: a whole reply queued behind the first. Paced (the default,
        // an event-loop turn between chunks) at most the chunk being written is in flight while
        // the client reads; the release must be safe either way.
        pace: false,
        release: () => {
          log.released += 1;
          reply.fill(Number.NaN);
        },
      };
    }),
  };
}

const header = (round: number): Omit<ExchangeHeader, 'tensors'> => ({
  jobId: 'j',
  workerId: 'w',
  fencingToken: 1,
  kind: 'EXCHANGE_KIND_SYNC',
  round,
  phase: 0,
});

test('exchangeHandler releases the reply\'s arrays only after every chunk is serialized (client not reading)', async (t) => {
  // 12 chunks: fewer than the queue's high-water mark (16), so every write() returns at once and
  // the handler's part ends with the reply still queued.
  const expected = testVector(12 * (CHUNK / 4), 21);
  const reply = Float32Array.from(expected);
  const log: Log = { released: 0, queuedAtEnd: -1 };
  const s = await startServer({ coordinator: poisoningCoordinator(reply, log) });
  t.after(() => s.close());
  const stub = createCoordinatorServiceStub(s.address, { channelOptions });
  t.after(() => stub.close());

  const call = stub.Exchange();
  await writeMessages<ExchangeRequest>(call, tensorStreamMessages(header(3), [{ name: 'x', values: testVector(16, 1) }]));
  call.end();
  // Do not read until the handler has answered and its writes have returned.
  await waitFor(() => log.queuedAtEnd >= 0, 5_000, 'the handler\'s reply');
  await new Promise((r) => setTimeout(r, 100));
  // (Checked by breaking it: with release() called as soon as the handler's writes return, the
  // client gets DATA_LOSS here, the poisoned chunk no longer matching its CRC-32.)
  assert.ok(log.queuedAtEnd >= 2, `${log.queuedAtEnd} reply messages queued: the case this test needs`);

  const got = await receiveTensorStream<ExchangeReply__Output>(new MessageReader<ExchangeResponse__Output>(call), { headerField: 'reply.tensors' });
  assert.equal(got.header.round, 4);
  assert.ok(bitsEqual(got.tensors[0]!.values, expected), 'the reply is the array as it was before release');
  await waitFor(() => log.released === 1, 5_000, 'release after the reply');
  assert.ok(Number.isNaN(reply[0]!), 'release ran (the poison is in place)');
});

test('exchangeHandler releases the reply\'s arrays once when the client cancels mid-reply', async (t) => {
  const reply = testVector(1 << 20, 22);
  const log: Log = { released: 0, queuedAtEnd: -1 };
  const ac = new AbortController();
  // Cancel just after the handler has answered: its reply is then being streamed.
  const s = await startServer({ coordinator: poisoningCoordinator(reply, log, () => setTimeout(() => ac.abort(), 1)) });
  t.after(() => s.close());
  const client = new CoordinatorClient(s.address, { channelOptions });
  t.after(() => client.close());

  await assert.rejects(client.exchange(header(0), [{ name: 'x', values: testVector(16, 2) }], { signal: ac.signal }));
  await waitFor(() => log.released === 1, 5_000, 'release after the cancel');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(log.released, 1, 'released exactly once');
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
