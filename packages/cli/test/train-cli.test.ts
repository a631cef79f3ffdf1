// The `deeprelax train` command as a user runs it: a real child process, real MNIST, real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

function cli(args: string[], timeoutMs = 240_000) {
  const r = spawnSync(process.execPath, ['--conditions=deeprelax-src', '--import', 'tsx', bin, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, DEEPRELAX_LOG_LEVEL: 'warn' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('train: SGD on a 10k-sample MNIST subset learns (validation error far below chance) and writes metrics, plot, weights', () => {
  const out = mkdtempSync(join(tmpdir(), 'dr-train-'));
  try {
    const r = cli(['train', '--model', 'mlp', '--algo', 'sgd', '--epochs', '2', '--lr', '0.1', '--engine', 'tfjs',
      '--train-limit', '10000', '--test-limit', '2000', '--seed', '7', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const m = /final validation error ([\d.]+)%/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[1]) < 15, `validation error ${m[1]}% should be < 15% (chance is 90%)`);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.deepEqual(lines.map((l) => l.epoch), [1, 2]);
    assert.deepEqual(lines.map((l) => l.effectiveEpochs), [1, 2]);
    assert.equal(lines[1].gradCalls, 2 * Math.ceil(10000 / 128));
    assert.ok(lines[1].trainLoss < lines[0].trainLoss);
    assert.equal(Number((100 * lines[1].valError).toFixed(2)), Number(m[1]));
    assert.match(readFileSync(join(out, 'curves.svg'), 'utf8'), /<svg[\s\S]*effective epochs/);
    assert.equal(readFileSync(join(out, 'weights.f32')).byteLength, 4 * (784 * 128 + 128 + 128 * 10 + 10));
    assert.ok(existsSync(join(out, 'config.json')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('train: ESGD counts effective epochs as epochs x L and gradient calls as (L+1) per step', () => {
  const out = mkdtempSync(join(tmpdir(), 'dr-train-'));
  try {
    const r = cli(['train', '--model', 'mlp', '--algo', 'esgd', '-L', '3', '--epochs', '1', '--engine', 'tfjs',
      '--train-limit', '1280', '--test-limit', '500', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const [line] = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(line.effectiveEpochs, 3);
    assert.equal(line.gradCalls, 10 * (3 + 1));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('invalid flags and combinations: one-line error, exit code 2, nothing trained', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--model', 'resnet'], /unknown model/],
    [['train', '--model', 'mlp', '--algo', 'adam'], /algo/],
    [['train', '--model', 'mlp', '--epochs', '0'], /epochs/],
    [['train', '--model', 'mlp', '--lr', 'abc'], /--lr/],
    [['train', '--model', 'mlp', '--lr', '0.1', '--lr-schedule', '2:1'], /either --lr or --lr-schedule/],
    [['train', '--model', 'mlp', '--lr-schedule', '2:x'], /lr-schedule/],
    [['train', '--model', 'mlp', '--algo', 'sgd', '-L', '5'], /-L has no meaning/],
    [['train', '--model', 'mlp', '--dataset', 'idx'], /needs --data-dir/],
    [['train', '--model', 'mlp', '--set', 'oops'], /key=value/],
    [['train', '--model', 'mlp', '--cpu-cache-mib', '-1'], /--cpu-cache-mib must be >= 0/],
    [['train', '--model', 'mlp', '--cpu-cache-mib', 'lots'], /--cpu-cache-mib must be a number/],
    [['train', '--model', 'mlp', '--cpu-cache-mib', ''], /--cpu-cache-mib must be a number/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args, 60_000);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a missing dataset directory is a clear error naming the path', () => {
  const r = cli(['train', '--model', 'mlp', '--dataset', 'idx', '--data-dir', '/nonexistent/mnist', '--engine', 'tfjs'], 60_000);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\/nonexistent\/mnist/);
});
