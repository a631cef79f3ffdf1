// One parameter exchange of mnistfc's 1,867,786 float32 parameters (7.47 MB each way) through a
// trivial echo coordinator over real gRPC on loopback, next to raw loopback TCP echoing the same
// bytes in the same process. Prints (and with --out FILE writes) JSON.
//
//   node --conditions=deeprelax-src --import tsx bench/exchange/exchange.bench.ts [--iters 20] [--out FILE]
import { writeFileSync } from 'node:fs';
import {
  CoordinatorClient,
  createRpcServer,
  exchangeHandler,
  MiB,
  type CoordinatorServiceHandlers,
  type WireDType,
} from '@deeprelax/rpc';
import { startEchoServer } from '../echo-server.js';
import { args, machine, stats as statsWithCount, tcpEchoClient } from '../shared.js';

const N = 1_867_786;
const a = args();
const ITERS = Number(a.get('iters', '20'));
const WARMUP = Number(a.get('warmup', '5'));
const OUT = a.get('out', '');

/** The shared statistics without the sample count (the report gives it once, as iters). */
function stats(ms: number[]) {
  const { n: _n, ...s } = statsWithCount(ms);
  return s;
}

// ---- raw TCP echo: length-prefixed message, echoed back after it is fully received ----
interface Runner {
  name: string;
  once(): Promise<void>;
  close(): Promise<void>;
}

async function rawTcp(bytes: Uint8Array): Promise<Runner> {
  const { server, port } = await startEchoServer();
  const client = await tcpEchoClient(port, bytes);
  return {
    name: 'raw-tcp',
    once: client.once,
    close: async () => {
      client.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function grpcExchange(x: Float32Array, dtype: WireDType, chunkBytes: number, reuse: boolean): Promise<Runner> {
  // With `reuse`, both sides receive into preallocated arrays (the `into` option).
  const serverStage = { x: new Float32Array(x.length) };
  const clientStage = { x: new Float32Array(x.length) };
  const impl: Partial<CoordinatorServiceHandlers> = {
    Exchange: exchangeHandler(
      async (ctx) => ({
        reply: { jobId: ctx.header.jobId, round: ctx.header.round + 1 },
        tensors: ctx.tensors,
        chunkBytes,
      }),
      reuse ? { into: () => serverStage } : {},
    ),
  };
  const server = createRpcServer({ reflection: false });
  server.addCoordinatorService(impl as CoordinatorServiceHandlers);
  const port = await server.listen('127.0.0.1:0');
  const client = new CoordinatorClient(`127.0.0.1:${port}`);
  return {
    name: `grpc-exchange ${dtype} chunk=${chunkBytes / 1024}KiB${reuse ? ' into' : ''}`,
    once: async () => {
      const out = await client.exchange(
        { jobId: 'bench', workerId: 'w', round: 1, kind: 'EXCHANGE_KIND_SYNC' },
        [{ name: 'x', values: x }],
        { dtype, chunkBytes, ...(reuse ? { into: clientStage } : {}) },
      );
      if (out.tensors[0]!.values.length !== x.length) throw new Error('size mismatch');
    },
    close: async () => {
      client.close();
      await server.close(1000);
    },
  };
}

const x = new Float32Array(N);
for (let i = 0; i < N; i++) x[i] = Math.sin(i) * 0.1;
const bytes = new Uint8Array(x.buffer);
const bytesEachWay = bytes.length;

const runners: Array<Runner & { dtype?: WireDType; chunk?: number; reuse?: boolean }> = [await rawTcp(bytes)];
for (const v of [
  { dtype: 'float32' as const, chunk: 1 * MiB, reuse: false },
  { dtype: 'float32' as const, chunk: 1 * MiB, reuse: true },
  { dtype: 'float32' as const, chunk: 256 * 1024, reuse: true },
  { dtype: 'float16' as const, chunk: 1 * MiB, reuse: true },
]) {
  runners.push({ ...(await grpcExchange(x, v.dtype, v.chunk, v.reuse)), ...v });
}
// Interleaved: each round runs every runner once, so load from other processes on the machine
// hits all of them alike.
// CPU time (user + system, both ends, since they share this process) is reported next to wall
// time: it is far less sensitive to other processes competing for the cores.
const times = runners.map(() => [] as number[]);
const cpu = runners.map(() => [] as number[]);
for (let round = 0; round < WARMUP + ITERS; round++) {
  for (let i = 0; i < runners.length; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await runners[i]!.once();
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (round >= WARMUP) {
      times[i]!.push(dt);
      cpu[i]!.push((c.user + c.system) / 1e3);
    }
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;
for (const r of runners) await r.close();
const raw = { ...stats(times[0]!), cpu_median_ms: median(cpu[0]!) };
const results = runners.slice(1).map((r, k) => {
  const s = stats(times[k + 1]!);
  return {
    transport: r.name,
    dtype: r.dtype,
    chunk_bytes: r.chunk,
    receive_into_preallocated: r.reuse,
    ...s,
    cpu_median_ms: median(cpu[k + 1]!),
    cpu_ratio_raw_over_grpc: median(cpu[0]!) / median(cpu[k + 1]!),
    // float32-equivalent parameter bytes moved per second, both directions.
    gbytes_per_s: (2 * bytesEachWay) / (s.median_ms / 1e3) / 1e9,
    ratio_vs_raw_tcp_median: raw.median_ms / s.median_ms,
    ratio_vs_raw_tcp_min: raw.min_ms / s.min_ms,
  };
});
const report = {
  bench: 'exchange',
  params: N,
  bytes_each_way_float32: bytesEachWay,
  iters: ITERS,
  warmup: WARMUP,
  ...machine(),
  raw_tcp: { ...raw, gbytes_per_s: (2 * bytesEachWay) / (raw.median_ms / 1e3) / 1e9 },
  grpc: results,
};
const json = JSON.stringify(report, null, 2);
process.stdout.write(json + '\n');
if (OUT) writeFileSync(OUT, json + '\n');
