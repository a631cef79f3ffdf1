// Pieces shared by the benches (bench/exchange, bench/distributed) and the end-to-end tests
// (test/e2e): command-line flags, statistics, machine facts, a free loopback port, the argv of a
// service's main module, and the client side of the raw-TCP echo reference.
import { connect, createServer, type Socket } from 'node:net';
import { arch, cpus, loadavg, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNodeFlags } from '@deeprelax/runtime';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TSX = import.meta.resolve('tsx');

/** `--name value` flags and `--name` switches of this process. */
export function args(): { get(name: string, dflt: string): string; has(name: string): boolean } {
  const a = process.argv.slice(2);
  return {
    get: (name, dflt) => {
      const i = a.indexOf(`--${name}`);
      return i >= 0 && a[i + 1] ? a[i + 1]! : dflt;
    },
    has: (name) => a.includes(`--${name}`),
  };
}

export function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median_ms: q(0.5), p10_ms: q(0.1), p90_ms: q(0.9), min_ms: s[0]!, mean_ms: ms.reduce((a, b) => a + b, 0) / ms.length, n: ms.length };
}

export function machine() {
  return { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: `${platform()}-${arch()}`, load_average: loadavg() };
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/**
 * argv (after node) of a service's main module, from its TypeScript sources, with the services'
 * node flags (DEEPRELAX_SERVICE_NODE_FLAGS="" runs them without, for a side-by-side run).
 */
export function serviceArgs(service: 'coordinator' | 'worker'): string[] {
  return [...serviceNodeFlags(), '--conditions=deeprelax-src', '--import', TSX, join(ROOT, 'services', service, 'src', 'main.ts')];
}

/**
 * The client of the raw-TCP echo reference: connects to an echo server on `port` (one that echoes
 * every 8-byte-length-prefixed message back once fully received); once() sends `bytes` and waits
 * for the whole echo (the same shape as one exchange: N bytes up, N down).
 */
export async function tcpEchoClient(port: number, bytes: Uint8Array): Promise<{ once(): Promise<void>; close(): void }> {
  const sock: Socket = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The echo is copied out into one array reused from call to call (as the exchange clients do
  // with their staging arrays), so the reference pays no per-message allocation.
  const out = Buffer.allocUnsafe(payload.length + 8);
  return {
    once: () =>
      new Promise<void>((resolveOnce) => {
        let have = 0;
        const target = payload.length + 8;
        const onData = (d: Buffer) => {
          d.copy(out, have, 0, Math.min(d.length, target - have));
          have += d.length;
          if (have >= target) {
            sock.off('data', onData);
            resolveOnce();
          }
        };
        sock.on('data', onData);
        const hdr = Buffer.alloc(8);
        hdr.writeBigUInt64LE(BigInt(payload.length));
        sock.write(hdr);
        sock.write(payload);
      }),
    close: () => {
      sock.destroy();
    },
  };
}
