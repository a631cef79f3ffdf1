// The coordinator's environment: defaults, the parsing users rely on, and one-line errors that
// name the variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, configFromEnv } from '../src/index.js';

test('environment config: defaults, DEEPRELAX_GRPC_ADDR as host:port, metrics off, the torch block cache', () => {
  const d = configFromEnv({});
  assert.equal(d.grpcHost, '0.0.0.0');
  assert.equal(d.engine, 'auto');
  assert.equal(d.engineThreads, 1);
  assert.equal(d.cpuCacheMiB, 512);
  const c = configFromEnv({ DEEPRELAX_GRPC_ADDR: '127.0.0.1:7000', DEEPRELAX_METRICS_PORT: 'off', DEEPRELAX_CPU_CACHE_MIB: '0', DEEPRELAX_ENGINE_THREADS: '' });
  assert.equal(c.grpcHost, '127.0.0.1');
  assert.equal(c.grpcPort, 7000);
  assert.equal(c.metricsPort, null);
  assert.equal(c.cpuCacheMiB, 0);
  assert.equal(c.engineThreads, 1, 'an empty variable counts as unset');
  assert.equal(configFromEnv({ DEEPRELAX_CPU_CACHE_MIB: '' }).cpuCacheMiB, 512, 'empty is unset, not 0 (off)');
  assert.equal(d.wasmKernels, true);
  assert.equal(configFromEnv({ DEEPRELAX_WASM_KERNELS: '0' }).wasmKernels, false);
  assert.equal(configFromEnv({ DEEPRELAX_WASM_KERNELS: '' }).wasmKernels, true, 'empty is unset');
});

test('environment config: invalid values are one-line errors naming the variable', () => {
  for (const [name, value] of [
    ['DEEPRELAX_CPU_CACHE_MIB', '-5'],
    ['DEEPRELAX_CPU_CACHE_MIB', 'big'],
    ['DEEPRELAX_ENGINE', 'cuda'],
    ['DEEPRELAX_ENGINE_THREADS', '0'],
    ['DEEPRELAX_WASM_KERNELS', 'maybe'],
  ] as const) {
    assert.throws(
      () => configFromEnv({ [name]: value }),
      (e: Error) => e instanceof ConfigError && e.message.includes(name) && !e.message.includes('\n'),
      `${name}=${value}`,
    );
  }
});
