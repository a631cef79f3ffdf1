// Signals during training must not corrupt the process. oneDNN's JIT sgemm kernels point rsp at a
// heap workspace, so a signal handled meanwhile wrote its frame into the heap (src/native/
// signal_guard.h): `node --cpu-prof` (a SIGPROF per sample) aborted in the first LeNet or mnistfc
// step with "corrupted size vs. prev_size". Each case trains a few steps in a child process under
// a stream of signals and must exit cleanly with weights bit-identical to a run without signals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipUnlessBuilt } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/train-steps.ts', import.meta.url));

interface Outcome {
  loss: number;
  sha: string;
  signals: number;
  /** Threads that appeared while training, and how many of them block SIGINT and SIGUSR2. */
  newThreads: number;
  newThreadsBlocking: number;
}

function train(model: string, threads: number, nodeFlags: string[], env: Record<string, string> = {}): Outcome {
  const r = spawnSync(process.execPath, [...nodeFlags, '--conditions=deeprelax-src', '--import', 'tsx', FIXTURE, model, '3', String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  assert.equal(r.status, 0, `child exited with ${r.status ?? r.signal}; stderr tail: ${r.stderr.slice(-400)}`);
  return JSON.parse(last) as Outcome;
}

describe('torch engine under signals', { skip: skipUnlessBuilt }, () => {
  for (const model of ['mnistfc', 'lenet']) {
    it(`${model}: a SIGPROF every 50 µs (node --cpu-prof) changes nothing`, () => {
      const quiet = train(model, 1, []);
      assert.ok(Number.isFinite(quiet.loss), `loss ${quiet.loss}`);
      const dir = mkdtempSync(join(tmpdir(), 'deeprelax-prof-'));
      try {
        const profiled = train(model, 1, ['--cpu-prof', '--cpu-prof-interval', '50', `--cpu-prof-dir=${dir}`]);
        assert.deepEqual({ loss: profiled.loss, sha: profiled.sha }, { loss: quiet.loss, sha: quiet.sha });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('on 2 threads the OpenMP worker that runs half of each sgemm blocks asynchronous signals', () => {
    const r = train('mnistfc', 2, []);
    assert.ok(r.newThreads >= 1, `no thread appeared while training on 2 threads (${r.newThreads})`);
    assert.equal(r.newThreadsBlocking, r.newThreads, `${r.newThreads - r.newThreadsBlocking} of ${r.newThreads} new threads take signals`);
  });

  it('mnistfc on 2 threads: a storm of process-directed SIGUSR2 changes nothing', () => {
    const quiet = train('mnistfc', 2, []);
    const stormed = train('mnistfc', 2, [], { SIGNAL_STORM: '1' });
    assert.ok(stormed.signals > 100, `only ${stormed.signals} signals were handled: the storm did not run`);
    assert.deepEqual({ loss: stormed.loss, sha: stormed.sha }, { loss: quiet.loss, sha: quiet.sha });
  });
});
