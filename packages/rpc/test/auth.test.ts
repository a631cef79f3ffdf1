// Bearer token and TLS, over real gRPC on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkHealth,
  CoordinatorClient,
  JobsClient,
  tokensEqual,
  unary,
  UnauthenticatedError,
  UnavailableError,
  grpc,
} from '@deeprelax/rpc';
import { echoCoordinator, selfSignedCert, haveOpenssl, startServer, testVector } from './helpers.js';

const TOKEN = 'correct horse battery staple';

function jobsImpl(calls: { n: number }) {
  return {
    GetJob: unary(async (req: { jobId: string }) => {
      calls.n++;
      return { id: req.jobId, state: 'JOB_STATE_QUEUED' as const };
    }),
  };
}

test('tokensEqual is exact', () => {
  assert.ok(tokensEqual('abc', 'abc'));
  assert.ok(!tokensEqual('abc', 'abd'));
  assert.ok(!tokensEqual('abc', 'abcd'));
  assert.ok(!tokensEqual('', 'abc'));
});

test('bearer token: missing or wrong -> UNAUTHENTICATED without reaching the handler; right token passes', async (t) => {
  const calls = { n: 0 };
  const s = await startServer({ jobs: jobsImpl(calls), coordinator: echoCoordinator() }, { token: TOKEN });
  t.after(() => s.close());

  const none = new JobsClient(s.address);
  const wrong = new JobsClient(s.address, { token: 'guess' });
  const right = new JobsClient(s.address, { token: TOKEN });
  t.after(() => [none, wrong, right].forEach((c) => c.close()));

  await assert.rejects(none.getJob('j'), (e: unknown) => e instanceof UnauthenticatedError && /missing/.test(e.message));
  await assert.rejects(wrong.getJob('j'), (e: unknown) => e instanceof UnauthenticatedError && /invalid/.test(e.message));
  assert.equal(calls.n, 0, 'handler never ran');
  assert.equal((await right.getJob('j')).id, 'j');
  assert.equal(calls.n, 1);

  // Streaming calls are guarded too.
  const coordNone = new CoordinatorClient(s.address);
  const coordRight = new CoordinatorClient(s.address, { token: TOKEN });
  t.after(() => [coordNone, coordRight].forEach((c) => c.close()));
  const x = testVector(50_000, 4);
  await assert.rejects(coordNone.exchange({ jobId: 'j' }, [{ name: 'x', values: x }]), UnauthenticatedError);
  const ok = await coordRight.exchange({ jobId: 'j' }, [{ name: 'x', values: x }]);
  assert.equal(ok.tensors[0]!.values.length, 50_000);

  // A raw stub with a lower-case "bearer" scheme is accepted too.
  const md = new grpc.Metadata();
  md.set('authorization', `bearer ${TOKEN}`);
  assert.equal((await right.getJob('k', { metadata: md })).id, 'k');

  // Health stays reachable without a token (probes).
  assert.equal(await checkHealth(s.address), 'SERVING');
});

test('TLS with a token: trusted CA + token passes, missing token is UNAUTHENTICATED, plaintext fails', { skip: !haveOpenssl() && 'openssl not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deeprelax-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { cert, key } = selfSignedCert(dir);
  const calls = { n: 0 };
  const s = await startServer({ jobs: jobsImpl(calls) }, { token: TOKEN, tls: { certFile: cert, keyFile: key } });
  t.after(() => s.close());
  const address = `localhost:${s.server.port}`;
  const tlsRight = new JobsClient(address, { token: TOKEN, tls: { caFile: cert } });
  const tlsNoToken = new JobsClient(address, { tls: { caFile: cert } });
  const plain = new JobsClient(address, { token: TOKEN });
  t.after(() => [tlsRight, tlsNoToken, plain].forEach((c) => c.close()));
  assert.equal((await tlsRight.getJob('j')).id, 'j');
  await assert.rejects(tlsNoToken.getJob('j'), UnauthenticatedError);
  await assert.rejects(plain.getJob('j', { deadlineMs: 3000 }), (e: unknown) => e instanceof UnavailableError || (e as Error).name === 'DeadlineExceededError');
  assert.equal(calls.n, 1);
});
