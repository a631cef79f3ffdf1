// Real gRPC over loopback (port 0): parameter exchange, weight streams, event streams, rejection
// of corrupt exchanges with the right status, and transport fault injection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortedError,
  chunkTensors,
  CoordinatorClient,
  createCoordinatorServiceStub,
  DataLossError,
  DeadlineExceededError,
  encodeTensors,
  exchangeHandler,
  FaultInjector,
  fetchWeightsHandler,
  grpc,
  grpcStatus,
  InvalidArgumentError,
  JobsClient,
  MiB,
  ResourceExhaustedError,
  serverStream,
  TensorNames,
  unary,
  UnavailableError,
  type CoordinatorServiceClient,
  type ExchangeRequest,
  type JobEvent,
} from '@deeprelax/rpc';
import { bitsEqual, echoCoordinator, startServer, testVector } from './helpers.js';

const MNISTFC = 1_867_786;

test('exchange of 1,867,786 float32 through an echo coordinator is bit-exact (and float16 is close)', async (t) => {
  const s = await startServer({ coordinator: echoCoordinator() });
  t.after(() => s.close());
  const client = new CoordinatorClient(s.address);
  t.after(() => client.close());
  const x = testVector(MNISTFC, 11);
  const z = testVector(MNISTFC, 12);
  const out = await client.exchange(
    { jobId: 'job-1', workerId: 'w-1', fencingToken: 7, kind: 'EXCHANGE_KIND_SYNC', round: 41, phase: 1 },
    [
      { name: TensorNames.z, values: z },
      { name: TensorNames.x, values: x },
    ],
  );
  assert.equal(out.reply.jobId, 'job-1');
  assert.equal(out.reply.round, 42);
  assert.equal(out.reply.phase, 1);
  assert.deepEqual(out.tensors.map((t) => t.name), ['z', 'x']);
  assert.ok(bitsEqual(out.byName.get('x')!, x), 'x bit-exact');
  assert.ok(bitsEqual(out.byName.get('z')!, z), 'z bit-exact');
  assert.equal(out.reply.tensors[1]!.byteLength, MNISTFC * 4);

  const into = { x: new Float32Array(MNISTFC) };
  const half = await client.exchange({ jobId: 'job-1', kind: 'EXCHANGE_KIND_ASYNC' }, [{ name: 'x', values: x }], {
    dtype: 'float16',
    into,
  });
  assert.equal(half.reply.tensors[0]!.dtype, 'DTYPE_FLOAT16');
  assert.equal(half.reply.tensors[0]!.byteLength, MNISTFC * 2);
  assert.equal(half.byName.get('x'), into.x, 'received into the given array');
  let maxRel = 0;
  for (let i = 100; i < MNISTFC; i += 97) maxRel = Math.max(maxRel, Math.abs(into.x[i]! - x[i]!) / Math.abs(x[i]! || 1));
  assert.ok(maxRel <= 2 ** -11, `float16 relative error ${maxRel}`);

  const pull = await client.exchange({ jobId: 'job-1', kind: 'EXCHANGE_KIND_PULL' }, []);
  assert.equal(pull.tensors.length, 0);
});

/** Sends raw request messages on Exchange and resolves with the final status. */
function rawExchange(stub: CoordinatorServiceClient, messages: ExchangeRequest[]): Promise<grpc.StatusObject & { error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const call = stub.Exchange({ deadline: Date.now() + 10_000 });
    let error: grpc.ServiceError | undefined;
    call.on('data', () => {});
    call.on('error', (e: grpc.ServiceError) => {
      error = e;
    });
    call.on('status', (st: grpc.StatusObject) => resolve({ ...st, ...(error ? { error } : {}) }));
    for (const m of messages) call.write(m);
    call.end();
  });
}

test('corrupt exchanges are rejected with the right status and never reach the service', async (t) => {
  let applied = 0;
  const s = await startServer({
    coordinator: {
      Exchange: exchangeHandler(
        async (ctx) => {
          applied++;
          return { reply: { jobId: ctx.header.jobId, round: ctx.header.round + 1 } };
        },
        {
          limits: { maxTensorBytes: 16 * MiB, requireFinite: true },
          expect: (h) => {
            if (h.kind === 'EXCHANGE_KIND_SYNC' && h.round !== 5) {
              throw new AbortedError(`stale round ${h.round}; the current round is 5`, { reason: 'stale-round' });
            }
            // Job "open" has no expectations, so only the limits apply.
            return h.jobId === 'open' ? {} : { names: ['x'], lengths: { x: 100_000 } };
          },
        },
      ),
    },
  });
  t.after(() => s.close());
  const stub = createCoordinatorServiceStub(s.address, {
    channelOptions: { 'grpc.max_send_message_length': 8 * MiB },
  });
  t.after(() => stub.close());
  const good = encodeTensors([{ name: 'x', values: testVector(100_000, 2) }]);
  const goodWhole = encodeTensors([{ name: 'x', values: testVector(100_000, 2) }], 'float32', 'tensor');
  const flipBit = (b: Buffer, bit: number) => {
    const c = Buffer.from(b);
    c[bit >> 3]! ^= 1 << (bit & 7);
    return c;
  };
  const chunks = [...chunkTensors(good, 64 * 1024)];
  const header = { jobId: 'j', workerId: 'w', kind: 'EXCHANGE_KIND_SYNC' as const, round: 5 };
  const frames = (h: object, cs = chunks): ExchangeRequest[] => [{ header: { ...header, ...h } }, ...cs.map((chunk) => ({ chunk }))];

  // Baseline: the well-formed exchange passes.
  let st = await rawExchange(stub, frames({ tensors: [good[0]!.header] }));
  assert.equal(st.code, grpcStatus.OK, st.details);
  assert.equal(applied, 1);

  const cases: Array<{ name: string; msgs: ExchangeRequest[]; code: number; field?: string; reason?: string }> = [
    {
      name: 'bad chunk checksum',
      msgs: frames({ tensors: [good[0]!.header] }, chunks.map((c, i) => (i === 2 ? { ...c, crc32: (c.crc32! ^ 1) >>> 0 } : c))),
      code: grpcStatus.DATA_LOSS,
      field: 'chunk.crc32',
      reason: 'checksum',
    },
    {
      name: 'a flipped bit under a chunk checksum',
      msgs: frames({ tensors: [good[0]!.header] }, chunks.map((c, i) => (i === 1 ? { ...c, data: flipBit(c.data as Buffer, 77) } : c))),
      code: grpcStatus.DATA_LOSS,
      field: 'chunk.crc32',
      reason: 'checksum',
    },
    {
      name: 'bad whole-tensor checksum',
      msgs: frames(
        { tensors: [{ ...goodWhole[0]!.header, crc32: (goodWhole[0]!.header.crc32 ^ 1) >>> 0 }] },
        [...chunkTensors(goodWhole, 64 * 1024)],
      ),
      code: grpcStatus.DATA_LOSS,
      field: 'header.tensors[0].crc32',
      reason: 'checksum',
    },
    {
      name: 'chunk checksums declared, chunks without them',
      msgs: frames({ tensors: [good[0]!.header] }, [...chunkTensors(goodWhole, 64 * 1024)]),
      code: grpcStatus.DATA_LOSS,
      field: 'chunk.crc32',
      reason: 'checksum',
    },
    {
      name: 'truncated stream',
      msgs: frames({ tensors: [good[0]!.header] }, chunks.slice(0, -1)),
      code: grpcStatus.DATA_LOSS,
      reason: 'truncated',
    },
    {
      name: 'out-of-order chunk',
      msgs: frames({ tensors: [good[0]!.header] }, [chunks[1]!, chunks[0]!, ...chunks.slice(2)]),
      code: grpcStatus.INVALID_ARGUMENT,
      field: 'chunk.offset',
      reason: 'order',
    },
    {
      name: 'wrong size',
      msgs: (() => {
        const small = encodeTensors([{ name: 'x', values: testVector(99_999, 2) }]);
        return frames({ tensors: [small[0]!.header] }, [...chunkTensors(small, 64 * 1024)]);
      })(),
      code: grpcStatus.INVALID_ARGUMENT,
      field: 'header.tensors[0].length',
      reason: 'size',
    },
    {
      name: 'oversize tensor (declared)',
      msgs: [
        {
          header: { ...header, jobId: 'open', tensors: [{ name: 'x', dtype: 'DTYPE_FLOAT32', length: 2 ** 30, byteLength: 2 ** 32 }] },
        },
      ],
      code: grpcStatus.RESOURCE_EXHAUSTED,
      reason: 'oversize',
    },
    {
      name: 'oversize chunk (over the chunk limit)',
      msgs: [
        { header: { ...header, tensors: [{ ...good[0]!.header }] } },
        { chunk: { tensor: 0, offset: 0, data: Buffer.alloc(3 * MiB) } },
      ],
      code: grpcStatus.RESOURCE_EXHAUSTED,
      field: 'chunk.data',
    },
    {
      name: 'oversize message (over the gRPC message limit)',
      msgs: [
        { header: { ...header, tensors: [{ ...good[0]!.header }] } },
        { chunk: { tensor: 0, offset: 0, data: Buffer.alloc(5 * MiB) } },
      ],
      code: grpcStatus.RESOURCE_EXHAUSTED,
    },
    {
      name: 'stale round',
      msgs: frames({ tensors: [good[0]!.header], round: 4 }),
      code: grpcStatus.ABORTED,
      reason: 'stale-round',
    },
    {
      name: 'chunk before header',
      msgs: [{ chunk: chunks[0]! }],
      code: grpcStatus.INVALID_ARGUMENT,
      field: 'header',
    },
    {
      name: 'NaN values',
      msgs: (() => {
        const v = testVector(100_000, 2);
        v[77_777] = NaN;
        const bad = encodeTensors([{ name: 'x', values: v }]);
        return frames({ tensors: [bad[0]!.header] }, [...chunkTensors(bad, 64 * 1024)]);
      })(),
      code: grpcStatus.INVALID_ARGUMENT,
      reason: 'non-finite',
    },
  ];
  for (const c of cases) {
    st = await rawExchange(stub, c.msgs);
    assert.equal(st.code, c.code, `${c.name}: got ${grpcStatus[st.code]} (${st.details})`);
    if (c.field) assert.equal(st.metadata.get('deeprelax-field')[0], c.field, c.name);
    if (c.reason) assert.equal(st.metadata.get('deeprelax-reason')[0], c.reason, c.name);
  }
  assert.equal(applied, 1, 'no rejected exchange reached the service');

  // The typed client surfaces the same as typed errors.
  const client = new CoordinatorClient(s.address);
  t.after(() => client.close());
  await assert.rejects(
    client.exchange({ ...header, round: 3 }, [{ name: 'x', values: testVector(100_000, 1) }]),
    (e: unknown) => e instanceof AbortedError && e.reason === 'stale-round',
  );
  await assert.rejects(
    client.exchange(header, [{ name: 'x', values: testVector(10, 1) }]),
    (e: unknown) => e instanceof InvalidArgumentError && e.field === 'header.tensors[0].length',
  );
  const ok = await client.exchange(header, [{ name: 'x', values: testVector(100_000, 1) }]);
  assert.equal(ok.reply.round, 6);
  assert.equal(applied, 2);
});

test('client verifies the reply: a corrupt reply is DATA_LOSS on the client (chunk and whole-tensor checksums)', async (t) => {
  // The reply's second chunk (of 4 KiB chunks) carries a wrong CRC-32, or (whole-tensor mode) the header does.
  let mode: 'chunk' | 'tensor' = 'chunk';
  const s = await startServer({
    coordinator: {
      Exchange: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        call.on('data', () => {});
        call.on('end', () => {
          const enc = encodeTensors([{ name: 'x', values: testVector(3000, 1) }], 'float32', mode);
          const h = enc[0]!.header;
          call.write({ header: { jobId: 'j', tensors: [mode === 'tensor' ? { ...h, crc32: (h.crc32 ^ 0x10) >>> 0 } : h] } });
          let k = 0;
          for (const chunk of chunkTensors(enc, 4096)) call.write({ chunk: mode === 'chunk' && k++ === 1 ? { ...chunk, crc32: (chunk.crc32! ^ 1) >>> 0 } : chunk });
          call.end();
        });
      },
    },
  });
  t.after(() => s.close());
  const client = new CoordinatorClient(s.address);
  t.after(() => client.close());
  await assert.rejects(client.exchange({ jobId: 'j' }, []), (e: unknown) => e instanceof DataLossError && e.field === 'chunk.crc32' && /byte 4096/.test(e.message));
  mode = 'tensor';
  await assert.rejects(client.exchange({ jobId: 'j' }, []), (e: unknown) => e instanceof DataLossError && e.field === 'reply.tensors[0].crc32');
});

test('fetch weights streams x in the requested dtype', async (t) => {
  const x = testVector(300_000, 9);
  const buffers = testVector(2048, 10);
  const s = await startServer({
    jobs: {
      FetchWeights: fetchWeightsHandler(async (req) => ({
        header: { jobId: req.jobId, round: 99, model: 'mnistfc', state: 'JOB_STATE_SUCCEEDED' },
        tensors: [{ name: 'x', values: x }, ...(req.includeBuffers ? [{ name: 'buffers', values: buffers }] : [])],
      })),
    },
  });
  t.after(() => s.close());
  const client = new JobsClient(s.address);
  t.after(() => client.close());
  const w = await client.fetchWeights({ jobId: 'j', includeBuffers: true });
  assert.equal(w.header.round, 99);
  assert.equal(w.header.model, 'mnistfc');
  assert.ok(bitsEqual(w.tensors[0]!.values, x));
  assert.ok(bitsEqual(w.tensors[1]!.values, buffers));
  const h = await client.fetchWeights({ jobId: 'j', dtype: 'float16' });
  assert.equal(h.tensors.length, 1);
  assert.equal(h.header.tensors[0]!.byteLength, 600_000);
});

test('watch streams events; breaking out cancels the server side', async (t) => {
  let finished: () => void;
  const serverDone = new Promise<void>((r) => (finished = r));
  const s = await startServer({
    jobs: {
      WatchJob: serverStream(async function* (req, _call, signal): AsyncGenerator<JobEvent> {
        try {
          yield { seq: 1, jobId: req.jobId, status: { state: 'JOB_STATE_RUNNING' } };
          for (let i = 2; !signal.aborted; i++) {
            yield { seq: i, jobId: req.jobId, metric: { name: 'train_loss', value: 1 / i, round: i } };
            await new Promise((r) => setTimeout(r, 5));
          }
        } finally {
          finished();
        }
      }),
      GetJob: unary(async (req) => ({ id: req.jobId })),
    },
  });
  t.after(() => s.close());
  const client = new JobsClient(s.address);
  t.after(() => client.close());
  const seen: JobEvent[] = [];
  for await (const ev of client.watchJob({ jobId: 'j-9' })) {
    seen.push(ev);
    if (seen.length === 4) break;
  }
  assert.equal(seen[0]!.event, 'status');
  assert.equal(seen[0]!.status!.state, 'JOB_STATE_RUNNING');
  assert.equal(seen[1]!.event, 'metric');
  assert.equal(seen[3]!.seq, 4);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    serverDone,
    new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error('server generator not closed')), 10_000);
    }),
  ]);
  clearTimeout(timer);
});

test('fault injection: fail, delay and drop the Nth call of a named method', async (t) => {
  const faults = new FaultInjector()
    .add({ method: 'GetJob', nth: 2, action: { kind: 'fail', code: grpcStatus.UNAVAILABLE } })
    .add({ method: 'GetJob', nth: 3, action: { kind: 'delay', ms: 150 } })
    .add({ method: '/deeprelax.v1.JobService/GetJob', nth: 4, action: { kind: 'drop' } })
    .add({ method: 'Exchange', nth: 1, action: { kind: 'fail', code: grpcStatus.ABORTED, details: 'injected' } });
  const s = await startServer(
    { jobs: { GetJob: unary(async (req) => ({ id: req.jobId })) }, coordinator: echoCoordinator() },
    { faults },
  );
  t.after(() => s.close());
  const client = new JobsClient(s.address);
  t.after(() => client.close());
  assert.equal((await client.getJob('a')).id, 'a');
  await assert.rejects(client.getJob('b'), UnavailableError);
  const t0 = performance.now();
  assert.equal((await client.getJob('c')).id, 'c');
  assert.ok(performance.now() - t0 >= 140, 'delayed');
  await assert.rejects(client.getJob('d', { deadlineMs: 300 }), DeadlineExceededError);
  assert.equal((await client.getJob('e')).id, 'e');
  assert.equal(faults.calls('GetJob'), 5);
  assert.deepEqual(faults.applied.map((f) => [f.call, f.action]), [[2, 'fail'], [3, 'delay'], [4, 'drop']]);

  const coord = new CoordinatorClient(s.address);
  t.after(() => coord.close());
  const x = testVector(1000, 1);
  await assert.rejects(coord.exchange({ jobId: 'j' }, [{ name: 'x', values: x }]), AbortedError);
  const again = await coord.exchange({ jobId: 'j' }, [{ name: 'x', values: x }]);
  assert.ok(bitsEqual(again.byName.get('x')!, x));
});
