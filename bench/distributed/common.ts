// Shared pieces of the distributed benchmarks: the real coordinator and workers as child processes
// (their main modules, as in production), a raw-TCP echo server as a child process for the
// loopback reference, statistics and machine facts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHealth } from '@deeprelax/rpc';
import { freePort, ROOT, serviceArgs, tcpEchoClient } from '../shared.js';

export { args, freePort, machine, ROOT, stats } from '../shared.js';

export interface Proc {
  proc: ChildProcess;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** Switches of the exchange path passed on to the services, for side-by-side comparisons. */
const PASSED_THROUGH = new Set(['DEEPRELAX_CRC32', 'DEEPRELAX_WASM_KERNELS']);

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DEEPRELAX_') || PASSED_THROUGH.has(k)) base[k] = v;
  return { ...base, DEEPRELAX_LOG_LEVEL: 'warn', DEEPRELAX_LOG_PRETTY: 'false', ...env };
}

export function spawnService(service: 'coordinator' | 'worker', env: Record<string, string>): Proc {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): extra node flags for the services.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const proc = spawn(process.execPath, [...extra, ...serviceArgs(service)], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', process.env.BENCH_SERVICE_STDOUT === 'inherit' ? 'inherit' : 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    exited,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The real coordinator on a free port with the in-memory store; resolves once it is healthy. */
export async function startCoordinator(extra: Record<string, string> = {}): Promise<{ address: string; proc: Proc; dir: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'deeprelax-bench-'));
  const address = `127.0.0.1:${port}`;
  const proc = spawnService('coordinator', { DEEPRELAX_GRPC_ADDR: address, DEEPRELAX_METRICS_PORT: 'off', DEEPRELAX_CHECKPOINT_DIR: join(dir, 'ckpt'), ...extra });
  const t0 = Date.now();
  while ((await checkHealth(address, { deadlineMs: 1000 }).catch(() => 'DOWN')) !== 'SERVING') {
    if (proc.proc.exitCode !== null) throw new Error('coordinator exited while starting');
    if (Date.now() - t0 > 60_000) throw new Error('coordinator not ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    proc,
    dir,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Raw TCP reference: an echo server in its own process (as the coordinator is), receiving a
 * length-prefixed message completely, copying it out, and sending it back; the client here
 * (tcpEchoClient) sends the bytes and waits for the whole echo.
 */
export async function rawTcpEcho(bytes: Uint8Array): Promise<{ once(): Promise<void>; close(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'echo-server.ts'), String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((r) => proc.stdout!.once('data', () => r()));
  const client = await tcpEchoClient(port, bytes);
  return {
    once: client.once,
    close: async () => {
      client.close();
      proc.kill('SIGTERM');
    },
  };
}
