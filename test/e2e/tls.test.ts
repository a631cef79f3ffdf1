// TLS and the bearer token end to end: a coordinator serving TLS with a token (as configured in
// deploy/ and docker-compose.yml through DEEPRELAX_TLS_CERT / _KEY / DEEPRELAX_TOKEN), a worker
// process that trusts its certificate and holds the token, and the CLI: a Parle job runs to the end;
// without the token a call gets UNAUTHENTICATED, and a plaintext client does not get through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkHealth, grpc, JobsClient, UnauthenticatedError } from '@deeprelax/rpc';
import { Harness, runCli, smallJob, valError, waitForEnd } from './helpers.js';
import { haveOpenssl, selfSignedCert } from '../../packages/rpc/test/helpers.js';

const TOKEN = 'e2e-secret-token';

test('TLS + token: a worker and the CLI reach the coordinator only with its CA and the token', { timeout: 180_000, skip: !haveOpenssl() && 'openssl not installed' }, async (t) => {
  const h = new Harness('tls');
  let ok = false;
  const clients: JobsClient[] = [];
  try {
    const { cert, key } = selfSignedCert(h.dir);
    await h.startCoordinator(
      { DEEPRELAX_TLS_CERT: cert, DEEPRELAX_TLS_KEY: key, DEEPRELAX_TOKEN: TOKEN },
      false,
      () => checkHealth(h.address, { credentials: grpc.credentials.createSsl(readFileSync(cert)), deadlineMs: 1000 }),
    );
    h.startWorker('w0', { DEEPRELAX_TLS_CA: cert, DEEPRELAX_TOKEN: TOKEN });

    const good = new JobsClient(h.address, { token: TOKEN, tls: { caFile: cert } });
    const noToken = new JobsClient(h.address, { tls: { caFile: cert } });
    const plaintext = new JobsClient(h.address, { token: TOKEN });
    clients.push(good, noToken, plaintext);
    await assert.rejects(noToken.listJobs({}), UnauthenticatedError);
    await assert.rejects(plaintext.listJobs({}, { deadlineMs: 3000 }), (e: Error) => !(e instanceof UnauthenticatedError));

    const job = await good.submitJob(
      smallJob({ algorithm: 'ALGORITHM_PARLE', minWorkers: 1, maxWorkers: 1, epochs: 1, hyper: { innerSteps: 5, lr: { constant: 0.1 } } }),
    );
    const end = await waitForEnd(good, job.id, 150_000);
    assert.equal(end.state, 'JOB_STATE_SUCCEEDED', `${end.error?.message ?? ''}\n${h.logs()}`);
    const err = valError(end);
    t.diagnostic(`Parle over TLS: ${(100 * err).toFixed(2)}% after ${end.progress?.round} rounds`);
    assert.ok(err < 0.3, `validation error ${err}`);

    // The CLI with the CA and the token from the environment; without the token it is refused.
    const env = { DEEPRELAX_COORDINATOR: h.address, DEEPRELAX_TLS_CA: cert };
    const listed = runCli(['jobs'], { ...env, DEEPRELAX_TOKEN: TOKEN });
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(job.id));
    const refused = runCli(['jobs'], env);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /UNAUTHENTICATED|token/i);
    ok = true;
  } finally {
    for (const c of clients) c.close();
    await h.cleanup(!ok);
  }
});
