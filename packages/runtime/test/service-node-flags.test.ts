// The services' node flags: the default list, the environment override, and that node accepts
// them (an unknown or misspelt flag makes node exit with "bad option" before any service code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SERVICE_NODE_FLAGS, serviceNodeFlags } from '@deeprelax/runtime';

test('serviceNodeFlags: the default list, or DEEPRELAX_SERVICE_NODE_FLAGS (empty: none)', () => {
  assert.deepEqual(serviceNodeFlags({}), ['--single-threaded-gc', '--max-semi-space-size=64']);
  assert.deepEqual(serviceNodeFlags({}), [...SERVICE_NODE_FLAGS]);
  assert.deepEqual(serviceNodeFlags({ DEEPRELAX_SERVICE_NODE_FLAGS: '' }), []);
  assert.deepEqual(serviceNodeFlags({ DEEPRELAX_SERVICE_NODE_FLAGS: ' --max-old-space-size=512  --single-threaded-gc ' }), [
    '--max-old-space-size=512',
    '--single-threaded-gc',
  ]);
});

test('node accepts the service flags and a process started with them runs with them', () => {
  const r = spawnSync(process.execPath, [...SERVICE_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).slice(0, SERVICE_NODE_FLAGS.length), [...SERVICE_NODE_FLAGS]);
  const bad = spawnSync(process.execPath, ['--single-threaded-gcx', '-e', '0'], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0, 'a misspelt flag is refused (so the check above means something)');
});
