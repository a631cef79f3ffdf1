// The exchange: rejected contributions never touch x (wrong size, bad checksum, stale round, NaN /
// Inf values, wrong kind), asynchronous EASGD matches core's easgdApplyDeltas bit for bit (also under
// concurrent exchanges, and with a float16 wire), Parle's
// two reductions are means, DESGD's centre step is core's, and a synchronous round with a silent
// member closes at its deadline.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { easgdApplyDeltas, localEntropyCentreStep, meanOf, type Float32Arena, type Float32ArenaStats } from '@deeprelax/core';
import {
  AbortedError,
  DataLossError,
  encodeTensors,
  chunkTensors,
  fromFloat16Bits,
  toFloat16Bits,
  InvalidArgumentError,
  tensorHeaders,
  toRpcError,
  type ExchangeRequest,
  type JobSpec,
} from '@deeprelax/rpc';
import { easgdSyncCentre, elasticDifference } from '../src/index.js';
import { FakeWorker, fetchX, plus, randomVector, smallSpec, startTest, within, type TestCoordinator } from './helpers.js';

const N = 101_770; // mlp 784-128-10

function maxAbs(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function startJob(c: TestCoordinator, spec: JobSpec, workers: number): Promise<FakeWorker[]> {
  const job = await c.jobs.submitJob({ minWorkers: workers, ...spec });
  const ws: FakeWorker[] = [];
  for (let i = 0; i < workers; i++) ws.push(await new FakeWorker(c.address).register());
  for (const w of ws) {
    const a = await w.waitAssignment();
    assert.equal(a.jobId, job.id);
    assert.equal(Number(a.numParams), N);
  }
  return ws;
}

/** Sends an exchange whose last chunk carries a wrong CRC-32 (through the raw stub). */
function badChecksumExchange(w: FakeWorker, round: number, name: string, values: Float32Array): Promise<void> {
  const enc = encodeTensors([{ name, values }]);
  const headers = tensorHeaders(enc);
  const chunks = [...chunkTensors(enc)];
  chunks[chunks.length - 1] = { ...chunks.at(-1)!, crc32: (chunks.at(-1)!.crc32! ^ 0x5a5a5a5a) >>> 0 };
  return new Promise((resolve, reject) => {
    const call = w.client.stub.Exchange();
    call.on('data', () => {});
    call.on('error', (e) => reject(toRpcError(e)));
    call.on('end', () => resolve());
    const header: ExchangeRequest = {
      header: { jobId: w.jobId, workerId: w.id, fencingToken: w.token, kind: 'EXCHANGE_KIND_ASYNC', round, phase: 0, tensors: headers },
    };
    call.write(header);
    for (const chunk of chunks) call.write({ chunk });
    call.end();
  });
}

// Every exchange test runs twice: with the WebAssembly kernels over the arena (the default) and
// with them switched off (DEEPRELAX_WASM_KERNELS=0: ordinary arrays, the TypeScript loops).
for (const wasmKernels of [true, false]) describe(`exchange (${wasmKernels ? 'WebAssembly' : 'TypeScript'} kernels)`, () => {
  let c: TestCoordinator;
  before(async () => {
    c = await startTest({ wasmKernels });
    assert.equal(c.coordinator.arena.kernels, wasmKernels ? 'wasm-simd' : 'typescript');
  });
  after(async () => {
    await c?.stop();
  });

  test('async EASGD: rejected exchanges leave x bit-identical; accepted ones match easgdApplyDeltas exactly', async () => {
    const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_EASGD_ASYNC', epochs: 5, maxWorkers: 2 }, { alpha: 0.25 }), 2);
    const job = a!.jobId;
    const p0 = await a!.pull();
    assert.equal(p0.reply.round, 0);
    await b!.pull();
    const before = await fetchX(c.jobs, job);
    assert.deepEqual(Buffer.from(p0.byName.get('x')!.buffer), before.bytes, 'PULL returns the x FetchWeights sees');

    const good = randomVector(N, 1);
    const nan = Float32Array.from(good);
    nan[1234] = NaN;
    const inf = Float32Array.from(good);
    inf[7] = -Infinity;
    const rejections: [string, () => Promise<unknown>, new (...a: never[]) => Error, string | null][] = [
      ['wrong size', () => a!.exchange('EXCHANGE_KIND_ASYNC', 0, 0, [{ name: 'x', values: good.subarray(0, N - 1) }]), InvalidArgumentError, 'header.tensors[0].length'],
      ['wrong name', () => a!.exchange('EXCHANGE_KIND_ASYNC', 0, 0, [{ name: 'z', values: good }]), InvalidArgumentError, 'header.tensors'],
      ['NaN values', () => a!.exchange('EXCHANGE_KIND_ASYNC', 0, 0, [{ name: 'x', values: nan }]), InvalidArgumentError, null],
      ['Inf values', () => a!.exchange('EXCHANGE_KIND_ASYNC', 0, 0, [{ name: 'x', values: inf }]), InvalidArgumentError, null],
      ['bad checksum', () => badChecksumExchange(a!, 0, 'x', good), DataLossError, null],
      ['future version', () => a!.exchange('EXCHANGE_KIND_ASYNC', 99, 0, [{ name: 'x', values: good }]), AbortedError, null],
      ['wrong kind', () => a!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'x', values: good }]), InvalidArgumentError, 'header.kind'],
      ['stale fencing token', () => a!.client.exchange({ jobId: job, workerId: a!.id, fencingToken: a!.token - 1, kind: 'EXCHANGE_KIND_ASYNC', round: 0 }, [{ name: 'x', values: good }]), Error, null],
    ];
    for (const [what, call, cls, field] of rejections) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof cls, `${what}: got ${String(err)}`);
        if (field) assert.equal((err as InvalidArgumentError).field, field, what);
        return true;
      });
      const now = await fetchX(c.jobs, job);
      assert.ok(now.bytes.equals(before.bytes), `${what}: x changed`);
      assert.equal(now.round, 0, what);
    }

    // Accepted: the reply's elastic is α(x^i − x̃) in float32 and x̃ becomes easgdApplyDeltas(x̃, Δ).
    let centre = before.x;
    for (let k = 0; k < 4; k++) {
      const w = k % 2 === 0 ? a! : b!;
      const xi = randomVector(N, 100 + k);
      const r = await w.exchange('EXCHANGE_KIND_ASYNC', k, 0, [{ name: 'x', values: xi }]);
      assert.equal(r.reply.round, k + 1);
      const delta = r.byName.get('elastic')!;
      const expectedDelta = elasticDifference(xi, centre, 0.25);
      assert.ok(Buffer.from(delta.buffer, delta.byteOffset, delta.byteLength).equals(Buffer.from(expectedDelta.buffer)), 'elastic = fround(α(x^i − x̃))');
      const expected = Float32Array.from(centre);
      easgdApplyDeltas(expected, delta);
      const now = await fetchX(c.jobs, job);
      assert.ok(now.bytes.equals(Buffer.from(expected.buffer)), `update ${k}: x̃ = easgdApplyDeltas(x̃, Δ)`);
      centre = now.x;
    }
    // A stale version (older than x's) is accepted: that is asynchronous EASGD.
    const r = await a!.exchange('EXCHANGE_KIND_ASYNC', 1, 0, [{ name: 'x', values: randomVector(N, 9) }]);
    assert.equal(r.reply.round, 5);
    await c.jobs.cancelJob(job);
    const stop = await a!.exchange('EXCHANGE_KIND_ASYNC', 5, 0, [{ name: 'x', values: good }]);
    assert.equal(stop.reply.directive, 'WORKER_DIRECTIVE_STOP');
    assert.equal(stop.tensors.length, 0);
    const hb = await a!.heartbeat(job);
    assert.equal(hb.directive, 'WORKER_DIRECTIVE_STOP');
    for (const w of [a!, b!]) await w.close();
  });

  test('async EASGD under load: concurrent exchanges, replayed in x\'s version order, match easgdApplyDeltas bit for bit', async () => {
    // No reads of x between exchanges, so the coordinator recycles replaced x's and sent Δ's:
    // a buffer recycled too early would show up as a wrong Δ or a wrong final x.
    const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_EASGD_ASYNC', epochs: 5, maxWorkers: 2 }, { alpha: 0.25 }), 2);
    const job = a!.jobId;
    await a!.pull();
    await b!.pull();
    const start = await fetchX(c.jobs, job);
    const sent: { round: number; xi: Float32Array; delta: Float32Array }[] = [];
    const run = async (w: FakeWorker, seed: number) => {
      for (let k = 0; k < 8; k++) {
        const xi = randomVector(N, seed + k);
        const r = await w.exchange('EXCHANGE_KIND_ASYNC', 0, 0, [{ name: 'x', values: xi }]);
        sent.push({ round: r.reply.round, xi, delta: Float32Array.from(r.byName.get('elastic')!) });
      }
    };
    await Promise.all([run(a!, 1000), run(b!, 2000)]);
    sent.sort((p, q) => p.round - q.round);
    assert.deepEqual(sent.map((e) => e.round), Array.from({ length: 16 }, (_, i) => i + 1), 'every exchange advanced x once');
    let centre = Float32Array.from(start.x);
    for (const e of sent) {
      const expectedDelta = elasticDifference(e.xi, centre, 0.25);
      assert.ok(Buffer.from(e.delta.buffer).equals(Buffer.from(expectedDelta.buffer)), `round ${e.round}: Δ = fround(α(x^i − x̃))`);
      easgdApplyDeltas(centre, e.delta);
    }
    const end = await fetchX(c.jobs, job);
    assert.equal(end.round, 16);
    assert.ok(end.bytes.equals(Buffer.from(centre.buffer)), 'final x̃ = the Δ\'s applied in version order');
    await c.jobs.cancelJob(job);
    for (const w of [a!, b!]) await w.close();
  });

  test('sync EASGD, rounds back to back: every reply\'s centre and the final x match the replay bit for bit', async () => {
    // No reads of x between rounds, so each round's old x goes back to the pool once the replies
    // carrying it are sent and later rounds write their centres into recycled arrays. (A release
    // before the send could not show here: a round closes only after both members have their
    // previous reply, and this N fits one chunk, serialized at once. packages/rpc's release.test.ts
    // checks that release waits until every chunk of a reply is serialized.)
    const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_EASGD', epochs: 5, roundDeadlineMs: 5_000, maxWorkers: 2 }, { alpha: 0.2 }), 2);
    const job = a!.jobId;
    await a!.pull();
    await b!.pull();
    const start = await fetchX(c.jobs, job);
    const rounds = 8;
    const sent = new Map<number, { xa: Float32Array; xb: Float32Array; ca: Float32Array; cb: Float32Array }>();
    for (let k = 0; k < rounds; k++) {
      const xa = randomVector(N, 3000 + k);
      const xb = randomVector(N, 4000 + k);
      const [ra, rb] = await within(
        Promise.all([a!.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'x', values: xa }]), b!.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'x', values: xb }])]),
        10_000,
        `round ${k}`,
      );
      assert.equal(ra.reply.contributors, 2, `round ${k}: both reduced`);
      assert.equal(ra.reply.round, k + 1);
      sent.set(k, { xa, xb, ca: Float32Array.from(ra.byName.get('center')!), cb: Float32Array.from(rb.byName.get('center')!) });
    }
    let centre = Float32Array.from(start.x);
    for (let k = 0; k < rounds; k++) {
      const e = sent.get(k)!;
      for (const [who, got] of [['a', e.ca], ['b', e.cb]] as const) {
        assert.ok(Buffer.from(got.buffer).equals(Buffer.from(centre.buffer)), `round ${k}: ${who} got the centre of round ${k}`);
      }
      // The coordinator's contributors are in arrival order; the two orders differ in rounding, so
      // accept either.
      const ab = easgdSyncCentre(centre, [e.xa, e.xb], 0.2);
      const ba = easgdSyncCentre(centre, [e.xb, e.xa], 0.2);
      const next = k + 1 < rounds ? sent.get(k + 1)!.ca : (await fetchX(c.jobs, job)).x;
      assert.ok(
        Buffer.from(next.buffer, next.byteOffset, next.byteLength).equals(Buffer.from(ab.buffer)) ||
          Buffer.from(next.buffer, next.byteOffset, next.byteLength).equals(Buffer.from(ba.buffer)),
        `x after round ${k} = the centre update of round ${k}`,
      );
      centre = Float32Array.from(next);
    }
    await c.jobs.cancelJob(job);
    for (const w of [a!, b!]) await w.close();
  });

  test('float16 exchange: x^i arrives rounded to half, x̃ takes the float32 Δ, the reply carries Δ rounded to half', async () => {
    const [a] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_EASGD_ASYNC', epochs: 5, maxWorkers: 1, exchangeDtype: 'DTYPE_FLOAT16' }, { alpha: 0.25 }), 1);
    const job = a!.jobId;
    const p0 = await a!.pull();
    const start = await fetchX(c.jobs, job);
    // PULL replies in the job's dtype too: x rounded to half.
    const half = (v: Float32Array) => Float32Array.from(v, (e) => fromFloat16Bits(toFloat16Bits(e)));
    assert.ok(Buffer.from(p0.byName.get('x')!.buffer).equals(Buffer.from(half(start.x).buffer)), 'PULL: x rounded to half');
    const xi = randomVector(N, 77);
    const r = await a!.client.exchange(
      { jobId: job, workerId: a!.id, fencingToken: a!.token, kind: 'EXCHANGE_KIND_ASYNC', round: 0, phase: 0 },
      [{ name: 'x', values: xi }],
      { dtype: 'float16' },
    );
    const delta = elasticDifference(half(xi), start.x, 0.25);
    const expected = Float32Array.from(start.x);
    easgdApplyDeltas(expected, delta);
    const now = await fetchX(c.jobs, job);
    assert.ok(now.bytes.equals(Buffer.from(expected.buffer)), 'x̃ + α(half(x^i) − x̃), in float32');
    const got = r.byName.get('elastic')!;
    assert.ok(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(half(delta).buffer)), 'reply: Δ rounded to half');
    assert.ok(maxAbs(xi, half(xi)) > 0, 'the replica is not exactly representable in half (the test would be vacuous)');
    await c.jobs.cancelJob(job);
    await a!.close();
  });

  test('sync EASGD: a stale round is rejected and x stays bit-identical; one of two silent -> closes at the deadline', async () => {
    const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_EASGD', epochs: 5, roundDeadlineMs: 400, maxWorkers: 2 }, { alpha: 0.3 }), 2);
    const job = a!.jobId;
    await a!.pull();
    await b!.pull();
    const x0 = (await fetchX(c.jobs, job)).x;
    const xa = randomVector(N, 11);
    // b is silent: the round closes at the deadline with a alone.
    const t0 = Date.now();
    const r = await within(a!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'x', values: xa }]), 5_000, 'round 0');
    const waited = Date.now() - t0;
    assert.ok(waited >= 350, `closed after ${waited} ms, before the deadline`);
    assert.equal(r.reply.round, 1);
    assert.equal(r.reply.contributors, 1);
    assert.ok(Buffer.from(r.byName.get('center')!.buffer).equals(Buffer.from(x0.buffer)), 'center = x̃ of round 0');
    const expected = Float32Array.from(x0);
    easgdApplyDeltas(expected, [elasticDifference(xa, x0, 0.3)]);
    const x1 = await fetchX(c.jobs, job);
    assert.ok(x1.bytes.equals(Buffer.from(expected.buffer)), 'x̃_1 = x̃_0 + α(x^a − x̃_0)');
    assert.equal(x1.round, 1);

    // b's late contribution to round 0: ABORTED (stale round), x untouched.
    await assert.rejects(b!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'x', values: randomVector(N, 12) }]), (e: unknown) => {
      assert.ok(e instanceof AbortedError);
      assert.equal(e.reason, 'stale-round');
      return true;
    });
    assert.ok((await fetchX(c.jobs, job)).bytes.equals(x1.bytes));
    // a's replay of round 0 too.
    await assert.rejects(a!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'x', values: xa }]), AbortedError);
    assert.ok((await fetchX(c.jobs, job)).bytes.equals(x1.bytes));

    // b was dropped and is inactive: round 1 closes on a alone, without waiting.
    const t1 = Date.now();
    const r1 = await within(a!.exchange('EXCHANGE_KIND_SYNC', 1, 0, [{ name: 'x', values: randomVector(N, 13) }]), 5_000, 'round 1');
    assert.ok(Date.now() - t1 < 350, 'no wait for a dropped member');
    assert.equal(r1.reply.round, 2);
    // b PULLs, is active again, and round 2 waits for both.
    const pb = await b!.pull();
    assert.equal(pb.reply.round, 2);
    const x2 = pb.byName.get('x')!;
    const [ra, rb] = await within(
      Promise.all([
        a!.exchange('EXCHANGE_KIND_SYNC', 2, 0, [{ name: 'x', values: randomVector(N, 14) }]),
        new Promise((res) => setTimeout(res, 50)).then(() => b!.exchange('EXCHANGE_KIND_SYNC', 2, 0, [{ name: 'x', values: randomVector(N, 15) }])),
      ]),
      5_000,
      'round 2',
    );
    assert.equal(ra.reply.contributors, 2);
    assert.equal(rb.reply.contributors, 2);
    const exp2 = Float32Array.from(x2);
    easgdApplyDeltas(exp2, [elasticDifference(randomVector(N, 14), x2, 0.3), elasticDifference(randomVector(N, 15), x2, 0.3)]);
    assert.ok((await fetchX(c.jobs, job)).bytes.equals(Buffer.from(exp2.buffer)), 'x̃_3 = x̃_2 + Σ Δ_i');
    await c.jobs.cancelJob(job);
    for (const w of [a!, b!]) await w.close();
  });

  test('Parle round: mean_z is the mean of the z^a, then x is the mean of the submitted x^a', async () => {
    const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_PARLE', epochs: 5, maxWorkers: 2 }), 2);
    const job = a!.jobId;
    await a!.pull();
    await b!.pull();
    const za = randomVector(N, 21);
    const zb = randomVector(N, 22);
    // Phase 1 before phase 0 is rejected.
    await assert.rejects(a!.exchange('EXCHANGE_KIND_SYNC', 0, 1, [{ name: 'x', values: za }]), AbortedError);
    const [r0a, r0b] = await within(
      Promise.all([a!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'z', values: za }]), b!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'z', values: zb }])]),
      5_000,
      'phase 0',
    );
    const meanZ = meanOf([za, zb], new Float32Array(N));
    for (const r of [r0a, r0b]) {
      assert.equal(r.reply.round, 0);
      assert.equal(r.reply.phase, 0);
      assert.equal(r.reply.contributors, 2);
      assert.ok(Buffer.from(r.byName.get('mean_z')!.buffer).equals(Buffer.from(meanZ.buffer)), 'mean_z');
    }
    const before = await fetchX(c.jobs, job);
    assert.equal(before.round, 0, 'x changes only at the second reduction');
    // NaN in phase 1 is rejected without touching x.
    const bad = randomVector(N, 23);
    bad[5] = NaN;
    await assert.rejects(a!.exchange('EXCHANGE_KIND_SYNC', 0, 1, [{ name: 'x', values: bad }]), InvalidArgumentError);
    const xa = randomVector(N, 24);
    const xb = randomVector(N, 25);
    const [r1a] = await within(
      Promise.all([a!.exchange('EXCHANGE_KIND_SYNC', 0, 1, [{ name: 'x', values: xa }]), b!.exchange('EXCHANGE_KIND_SYNC', 0, 1, [{ name: 'x', values: xb }])]),
      5_000,
      'phase 1',
    );
    assert.equal(r1a.reply.round, 1);
    assert.equal(r1a.tensors.length, 0);
    const after = await fetchX(c.jobs, job);
    assert.equal(after.round, 1);
    assert.ok(after.bytes.equals(Buffer.from(meanOf([xa, xb], new Float32Array(N)).buffer)), 'x = mean of x^a');
    await c.jobs.cancelJob(job);
    for (const w of [a!, b!]) await w.close();
  });

  test('Parle: a replica silent in phase 1 is dropped at the deadline; a PULL then waits for the reduction', async () => {
    const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_PARLE', epochs: 5, maxWorkers: 2, roundDeadlineMs: 300 }), 2);
    const job = a!.jobId;
    await a!.pull();
    await b!.pull();
    await within(
      Promise.all([a!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'z', values: randomVector(N, 61) }]), b!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'z', values: randomVector(N, 62) }])]),
      5_000,
      'phase 0',
    );
    // b "restarts" and PULLs between the reductions: the reply waits for phase 1 to close.
    const t0 = Date.now();
    const pulled = b!.pull();
    const xa = randomVector(N, 63);
    const r = await within(a!.exchange('EXCHANGE_KIND_SYNC', 0, 1, [{ name: 'x', values: xa }]), 5_000, 'phase 1');
    assert.equal(r.reply.contributors, 1, 'b dropped from phase 1');
    assert.equal(r.reply.round, 1);
    const p = await within(pulled, 5_000, 'pull');
    assert.ok(Date.now() - t0 >= 250, 'the pull waited for the deadline of phase 1');
    assert.equal(p.reply.round, 1);
    assert.ok(Buffer.from(p.byName.get('x')!.buffer).equals(Buffer.from(xa.buffer)), 'x = mean of the one x^a');
    // Both are active again in round 1.
    const [q1, q2] = await within(
      Promise.all([a!.exchange('EXCHANGE_KIND_SYNC', 1, 0, [{ name: 'z', values: xa }]), b!.exchange('EXCHANGE_KIND_SYNC', 1, 0, [{ name: 'z', values: xa }])]),
      5_000,
      'round 1',
    );
    assert.equal(q1.reply.contributors, 2);
    assert.equal(q2.reply.contributors, 2);
    await c.jobs.cancelJob(job);
    for (const w of [a!, b!]) await w.close();
  });

  test('DESGD round: x <- x - s (x - mean mu) with the spec\'s lr and coupling', async () => {
    const [a] = await startJob(
      c,
      smallSpec({ algorithm: 'ALGORITHM_DESGD', epochs: 5 }, { lr: { constant: 0.5 }, gamma: { constant: 2 }, centreLrScaling: 'CENTRE_LR_SCALING_COUPLING' }),
      1,
    );
    const p = await a!.pull();
    const x0 = p.byName.get('x')!;
    const mu = plus(x0, randomVector(N, 31, 0.01));
    const r = await a!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'mu', values: mu }]);
    const expected = Float32Array.from(x0);
    localEntropyCentreStep(expected, [mu], 0.5 * 2);
    assert.ok(Buffer.from(r.byName.get('x')!.buffer).equals(Buffer.from(expected.buffer)), 'reply x');
    assert.ok((await fetchX(c.jobs, a!.jobId)).bytes.equals(Buffer.from(expected.buffer)), 'stored x');
    await c.jobs.cancelJob(a!.jobId);
    await a!.close();
  });
});

describe('exchange arena', () => {
  /**
   * Waits (up to 10 s) until no slot is held any more (evaluations and checkpoints in flight hold
   * theirs until they are done), then checks every slot came back, none ran out and none was given
   * back twice; returns the stats for further checks.
   */
  async function arenaSettled(arena: Float32Arena): Promise<Float32ArenaStats> {
    const deadline = Date.now() + 10_000;
    while (arena.stats().slotsInUse > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const stats = arena.stats();
    assert.equal(stats.slotsInUse, 0, 'every slot back');
    assert.equal(stats.fallbacks, 0, 'never ran out of slots');
    assert.equal(stats.staleGives, 0, 'no vector given back twice');
    return stats;
  }

  test('vectors go back to the arena: exchanges with evaluations, checkpoints and downloads in between leak no slot', async () => {
    const c = await startTest();
    try {
      const arena = c.coordinator.arena;
      assert.equal(arena.kernels, 'wasm-simd');
      const spec = smallSpec(
        { algorithm: 'ALGORITHM_EASGD_ASYNC', epochs: 50, maxWorkers: 2, evalInterval: { rounds: 2 }, checkpointInterval: { rounds: 3 } },
        { alpha: 0.25 },
      );
      const [a, b] = await startJob(c, spec, 2);
      const job = a!.jobId;
      let peak = 0;
      const run = async (w: FakeWorker, seed: number) => {
        await w.pull();
        for (let k = 0; k < 10; k++) {
          const r = await w.exchange('EXCHANGE_KIND_ASYNC', 0, 0, [{ name: 'x', values: randomVector(N, seed + k) }]);
          assert.equal(r.byName.get('elastic')!.length, N);
          peak = Math.max(peak, arena.stats().slotsInUse);
          if (k % 4 === 3) await fetchX(c.jobs, job);
        }
      };
      await Promise.all([run(a!, 10), run(b!, 20)]);
      assert.equal((await fetchX(c.jobs, job)).round, 20);
      await c.jobs.cancelJob(job);
      for (const w of [a!, b!]) await w.close();
      // Evaluations and checkpoints in flight hold their x until they are done; then every slot,
      // the cancelled job's x included, is free again, and the segment no job uses is dropped.
      const stats = await arenaSettled(arena);
      assert.equal(stats.segments, 0, 'the ended job\'s segment is dropped once every slot is back');
      assert.ok(peak >= 2 && peak <= 8, `peak slots in use ${peak}`);
    } finally {
      await c.stop();
    }
  });

  test('sync rounds leak no slot either: sync EASGD, Parle, DESGD, rejected contributions, a job cancelled with a round open', async () => {
    // The replies of a synchronous round share one vector (the old x, Parle's mean, DESGD's new x),
    // retained once per contributor; a rejected contribution and a cancelled round give back what
    // they took. A slot recycled too early would show in the bit-for-bit tests above; a leaked
    // one only here.
    const c = await startTest();
    try {
      const arena = c.coordinator.arena;
      assert.equal(arena.kernels, 'wasm-simd');
      const nan = randomVector(N, 90);
      nan[N - 1] = NaN;
      const both = (a: FakeWorker, b: FakeWorker, round: number, phase: number, name: string, seed: number) =>
        within(
          Promise.all([
            a.exchange('EXCHANGE_KIND_SYNC', round, phase, [{ name, values: randomVector(N, seed) }]),
            b.exchange('EXCHANGE_KIND_SYNC', round, phase, [{ name, values: randomVector(N, seed + 1) }]),
          ]),
          10_000,
          `round ${round} phase ${phase}`,
        );
      const finish = async (ws: FakeWorker[]) => {
        await c.jobs.cancelJob(ws[0]!.jobId);
        for (const w of ws) await w.close();
      };

      // Sync EASGD: four rounds with evaluations between them, a NaN contribution rejected.
      {
        const spec = smallSpec({ algorithm: 'ALGORITHM_EASGD', epochs: 50, roundDeadlineMs: 5_000, maxWorkers: 2, evalInterval: { rounds: 2 } }, { alpha: 0.2 });
        const [a, b] = await startJob(c, spec, 2);
        await a!.pull();
        await b!.pull();
        for (let k = 0; k < 4; k++) {
          if (k === 2) await assert.rejects(a!.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'x', values: nan }]), InvalidArgumentError);
          await both(a!, b!, k, 0, 'x', 100 + 2 * k);
        }
        await finish([a!, b!]);
      }
      // Parle: both phases of three rounds, a NaN z and a NaN x rejected.
      {
        const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_PARLE', epochs: 50, maxWorkers: 2, roundDeadlineMs: 5_000 }), 2);
        await a!.pull();
        await b!.pull();
        for (let k = 0; k < 3; k++) {
          if (k === 1) await assert.rejects(a!.exchange('EXCHANGE_KIND_SYNC', k, 0, [{ name: 'z', values: nan }]), InvalidArgumentError);
          await both(a!, b!, k, 0, 'z', 200 + 4 * k);
          if (k === 2) await assert.rejects(b!.exchange('EXCHANGE_KIND_SYNC', k, 1, [{ name: 'x', values: nan }]), InvalidArgumentError);
          await both(a!, b!, k, 1, 'x', 202 + 4 * k);
        }
        await finish([a!, b!]);
      }
      // DESGD: two members; a round whose new x overflows (step 100 towards means of 3e38: every
      // contribution finite, the result not) is rejected, then three rounds.
      {
        const spec = smallSpec(
          { algorithm: 'ALGORITHM_DESGD', epochs: 50, maxWorkers: 2, roundDeadlineMs: 5_000 },
          { lr: { constant: 50 }, gamma: { constant: 2 }, centreLrScaling: 'CENTRE_LR_SCALING_COUPLING' },
        );
        const [a, b] = await startJob(c, spec, 2);
        await a!.pull();
        await b!.pull();
        const huge = new Float32Array(N).fill(3e38);
        const overflow = await Promise.allSettled([a, b].map((w) => w!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'mu', values: huge }])));
        for (const r of overflow) assert.ok(r.status === 'rejected' && r.reason instanceof InvalidArgumentError, 'a non-finite new x is rejected');
        for (let k = 0; k < 3; k++) await both(a!, b!, k, 0, 'mu', 300 + 2 * k);
        await finish([a!, b!]);
      }
      // Cancelled with a round open: one member's contribution is waiting for the other's.
      {
        const [a, b] = await startJob(c, smallSpec({ algorithm: 'ALGORITHM_EASGD', epochs: 50, roundDeadlineMs: 5_000, maxWorkers: 2 }, { alpha: 0.2 }), 2);
        await a!.pull();
        await b!.pull();
        const pending = a!.exchange('EXCHANGE_KIND_SYNC', 0, 0, [{ name: 'x', values: randomVector(N, 400) }]).then(
          () => 'replied',
          () => 'rejected',
        );
        await new Promise((r) => setTimeout(r, 200));
        await finish([a!, b!]);
        assert.ok(['replied', 'rejected'].includes(await within(pending, 10_000, 'the open round ends with the job')));
      }

      await arenaSettled(arena);
    } finally {
      await c.stop();
    }
  });
});
