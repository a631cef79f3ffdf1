import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortedError,
  DataLossError,
  FailedPreconditionError,
  fromStatus,
  grpcStatus,
  InternalError,
  InvalidArgumentError,
  JobsClient,
  NotFoundError,
  ResourceExhaustedError,
  RpcError,
  toRpcError,
  toStatus,
  UnauthenticatedError,
  UnavailableError,
  unary,
} from '@deeprelax/rpc';
import { startServer } from './helpers.js';

const taxonomy: Array<[RpcError, number]> = [
  [new NotFoundError('job j-1 not found'), grpcStatus.NOT_FOUND],
  [new InvalidArgumentError('spec.hyper.lr', 'must be positive', { reason: 'range' }), grpcStatus.INVALID_ARGUMENT],
  [new FailedPreconditionError('lease expired', { reason: 'lease' }), grpcStatus.FAILED_PRECONDITION],
  [new UnauthenticatedError('missing bearer token'), grpcStatus.UNAUTHENTICATED],
  [new ResourceExhaustedError('too big', { field: 'chunk.data', reason: 'oversize' }), grpcStatus.RESOURCE_EXHAUSTED],
  [new AbortedError('stale round 3, current 4', { reason: 'stale-round' }), grpcStatus.ABORTED],
  [new UnavailableError('coordinator restarting'), grpcStatus.UNAVAILABLE],
  [new InternalError('boom'), grpcStatus.INTERNAL],
  [new DataLossError('checksum mismatch', { field: 'header.tensors[0].crc32', reason: 'checksum' }), grpcStatus.DATA_LOSS],
];

function same(a: RpcError, b: RpcError) {
  assert.equal(b.constructor, a.constructor);
  assert.equal(b.code, a.code);
  assert.equal(b.message, a.message);
  assert.equal(b.field, a.field);
  assert.equal(b.reason, a.reason);
}

test('each error maps to its status code and back (in process)', () => {
  for (const [err, code] of taxonomy) {
    const s = toStatus(err);
    assert.equal(s.code, code, err.name);
    same(err, fromStatus(s));
  }
  assert.equal(new InvalidArgumentError('spec.model', 'unknown model').message, 'spec.model: unknown model');
});

test('unknown errors become INTERNAL; AbortError becomes CANCELLED; grpc statuses pass through', () => {
  assert.equal(toStatus(new Error('x')).code, grpcStatus.INTERNAL);
  assert.equal(toStatus('weird').code, grpcStatus.INTERNAL);
  const abort = new Error('stop');
  abort.name = 'AbortError';
  assert.equal(toStatus(abort).code, grpcStatus.CANCELLED);
  assert.equal(toStatus({ code: grpcStatus.NOT_FOUND, details: 'nope' }).code, grpcStatus.NOT_FOUND);
  assert.ok(toRpcError(new Error('local')) instanceof InternalError);
});

test('error mapping round trip over the wire', async (t) => {
  const byId = new Map(taxonomy.map(([e], i) => [`e${i}`, e]));
  const s = await startServer({
    jobs: {
      GetJob: unary(async (req) => {
        const e = byId.get(req.jobId);
        if (e) throw e;
        if (req.jobId === 'plain') throw new Error('plain failure');
        return { id: req.jobId, state: 'JOB_STATE_RUNNING' };
      }),
    },
  });
  t.after(() => s.close());
  const client = new JobsClient(s.address);
  t.after(() => client.close());
  for (const [id, err] of byId) {
    await assert.rejects(client.getJob(id), (got: unknown) => {
      assert.ok(got instanceof RpcError);
      same(err, got);
      return true;
    });
  }
  await assert.rejects(client.getJob('plain'), (got: unknown) => got instanceof InternalError && /plain failure/.test(got.message));
  const job = await client.getJob('ok');
  assert.equal(job.state, 'JOB_STATE_RUNNING');
  // Fully populated output: defaults for every scalar, null for unset messages.
  assert.equal(job.createdUnixMs, 0);
  assert.deepEqual(job.latestMetrics, []);
  assert.equal(job.spec, null);
});
