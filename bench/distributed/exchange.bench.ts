// One parameter exchange of mnistfc's 1,867,786 float32 parameters (7.47 MB each way) through the
// REAL coordinator (services/coordinator as a child process: lease and fencing checks, tensor
// verification incl. CRC-32 and finiteness, the EASGD centre update, the reply), next to raw
// loopback TCP echoing the same bytes through another process, interleaved round by round in the
// same run. A bench client plays the worker (register, heartbeat, PULL, then exchanges).
//
//   node --conditions=deeprelax-src --import tsx bench/distributed/exchange.bench.ts [--iters 30] [--dtypes float32,float16] [--variants easgd_sync] [--out FILE]
//
// Variants: EASGD async (ASYNC: x up, elastic Δ down, applied to x̃ on arrival) and EASGD sync
// with one member (SYNC: x up, centre down; the round closes on the one contribution), for each
// wire dtype asked for (the job's exchange_dtype: float16 halves the bytes and adds a conversion
// at each end). The raw TCP reference always moves the float32 bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { CoordinatorClient, JobsClient, bytesPerElement, dtypeToProto, type Assignment__Output, type ExchangeKind, type JobSpec, type WireDType } from '@deeprelax/rpc';
import { writeChart } from '@deeprelax/plot';
import { args, machine, rawTcpEcho, startCoordinator, stats } from './common.js';

const N = 1_867_786;
const a = args();
const ITERS = Number(a.get('iters', '30'));
const WARMUP = Number(a.get('warmup', '5'));
const OUT = a.get('out', '');
const DTYPES = a.get('dtypes', 'float32').split(',').filter(Boolean) as WireDType[];
/** Only these variants (comma-separated names, e.g. easgd_sync); default all. */
const ONLY = a.get('variants', '').split(',').filter(Boolean);
for (const d of DTYPES) if (!['float32', 'float16', 'bfloat16'].includes(d)) throw new Error(`--dtypes: unknown dtype ${d}`);
const PLOT = a.get('plot', OUT ? OUT.replace(/\.json$/, '') + '.svg' : '');

function job(algorithm: JobSpec['algorithm'], dtype: WireDType): JobSpec {
  return {
    name: `bench-exchange-${algorithm}-${dtype}`,
    exchangeDtype: dtypeToProto(dtype),
    model: 'mnistfc',
    dataset: { name: 'mnist', trainLimit: 1024, valLimit: 100 },
    algorithm,
    epochs: 100_000,
    seed: 1,
    minWorkers: 1,
    maxWorkers: 1,
    // Keep the coordinator's evaluation and checkpoints out of the measurement.
    evalInterval: { seconds: 86_400 },
    checkpointInterval: { seconds: 86_400 },
    hyper: { tau: 1, alpha: 0.1, lr: { constant: 0.01 } },
  };
}

const coord = await startCoordinator();
const jobs = new JobsClient(coord.address);
const client = new CoordinatorClient(coord.address);
const reg = await client.register({ capabilities: { engines: ['ENGINE_KIND_TFJS'], device: 'cpu', hostname: 'bench', threads: 1 } });
const workerId = reg.workerId;
let token = reg.lease!.fencingToken;
let current = '';
let pendingAssignment: Assignment__Output | null = reg.assignment && reg.assignment.jobId ? reg.assignment : null;
const hb = setInterval(() => {
  client
    .heartbeat({ workerId, fencingToken: token, state: current ? 'WORKER_STATE_TRAINING' : 'WORKER_STATE_IDLE', jobId: current })
    .then((r) => {
      token = r.lease?.fencingToken ?? token;
      if (r.directive === 'WORKER_DIRECTIVE_START' && r.assignment) pendingAssignment = r.assignment;
    })
    .catch(() => {});
}, 500);

async function assignmentFor(jobId: string): Promise<Assignment__Output> {
  const t0 = Date.now();
  for (;;) {
    if (pendingAssignment?.jobId === jobId) return pendingAssignment;
    if (Date.now() - t0 > 30_000) throw new Error(`no assignment for ${jobId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Variant {
  name: string;
  kind: ExchangeKind;
  jobId: string;
  round: number;
  x: Float32Array;
  reply: string;
  staging: Float32Array;
  dtype: WireDType;
}

async function prepare(name: string, algorithm: JobSpec['algorithm'], kind: ExchangeKind, reply: string, dtype: WireDType): Promise<Variant> {
  const j = await jobs.submitJob(job(algorithm, dtype));
  const asg = await assignmentFor(j.id);
  current = j.id;
  const pulled = await client.exchange({ jobId: j.id, workerId, fencingToken: token, kind: 'EXCHANGE_KIND_PULL' }, []);
  const x = pulled.byName.get('x')!;
  if (x.length !== N || asg.numParams !== N) throw new Error(`expected ${N} parameters, got ${x.length}`);
  return { name, kind, jobId: j.id, round: pulled.reply.round, x: Float32Array.from(x), reply, staging: new Float32Array(N), dtype };
}

async function exchangeOnce(v: Variant): Promise<void> {
  const out = await client.exchange(
    { jobId: v.jobId, workerId, fencingToken: token, kind: v.kind, round: v.round, phase: 0 },
    [{ name: 'x', values: v.x }],
    { into: { [v.reply]: v.staging }, dtype: v.dtype },
  );
  v.round = out.reply.round;
  if (out.byName.get(v.reply)?.length !== N) throw new Error(`${v.name}: reply lacks ${v.reply}`);
}

const bytes = new Uint8Array(new Float32Array(N).map((_, i) => Math.sin(i) * 0.1).buffer);
const raw = await rawTcpEcho(bytes);

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; NaN elsewhere). */
function procCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, at USER_HZ = 100
  } catch {
    return NaN;
  }
}

// One job at a time holds the bench worker: measure async, then sync.
const results: Record<string, number[]> = { raw_tcp: [] };
/** CPU of both ends of the coordinator exchanges: the client's per exchange, the coordinator's per exchange on average. */
const cpu: Record<string, { client: number[]; coordinatorPerExchange: number }> = {};
const VARIANTS = DTYPES.flatMap((dtype) =>
  (
    [
      ['easgd_async', 'ALGORITHM_EASGD_ASYNC', 'EXCHANGE_KIND_ASYNC', 'elastic'],
      ['easgd_sync', 'ALGORITHM_EASGD', 'EXCHANGE_KIND_SYNC', 'center'],
    ] as const
  ).map(([name, algorithm, kind, reply]) => [dtype === 'float32' ? name : `${name}_${dtype}`, algorithm, kind, reply, dtype] as const),
);
for (const [name, algorithm, kind, reply, dtype] of VARIANTS.filter(([n]) => ONLY.length === 0 || ONLY.includes(n))) {
  const v = await prepare(name, algorithm, kind, reply, dtype);
  results[name] = [];
  const c = (cpu[name] = { client: [] as number[], coordinatorPerExchange: NaN });
  let coordCpu0 = 0;
  for (let i = 0; i < WARMUP + ITERS; i++) {
    if (i === WARMUP) coordCpu0 = procCpuMs(coord.proc.proc.pid);
    let t0 = performance.now();
    await raw.once();
    if (i >= WARMUP) results.raw_tcp!.push(performance.now() - t0);
    const u0 = process.cpuUsage();
    t0 = performance.now();
    await exchangeOnce(v);
    if (i >= WARMUP) {
      results[name]!.push(performance.now() - t0);
      const u = process.cpuUsage(u0);
      c.client.push((u.user + u.system) / 1000);
    }
  }
  c.coordinatorPerExchange = (procCpuMs(coord.proc.proc.pid) - coordCpu0) / ITERS;
  await jobs.cancelJob(v.jobId, 'bench done');
  current = '';
  pendingAssignment = null;
}
clearInterval(hb);
await client.leave({ workerId, fencingToken: token, reason: 'bench done' }).catch(() => {});
client.close();
jobs.close();
await raw.close();
await coord.stop();

const each = N * 4;
const rawStats = stats(results.raw_tcp!);
const rate = (ms: number, bytes = each) => (2 * bytes) / (ms / 1e3) / 1e9;
const dtypeOf = Object.fromEntries(VARIANTS.map(([name, , , , dtype]) => [name, dtype]));
const variants = Object.fromEntries(
  Object.entries(results)
    .filter(([k]) => k !== 'raw_tcp')
    .map(([k, ms]) => {
      const s = stats(ms);
      return [
        k,
        {
          ...s,
          dtype: dtypeOf[k],
          wire_bytes_each_way: N * bytesPerElement(dtypeOf[k]!),
          // Wire bytes per second; the ratios compare latencies (the same parameters moved).
          gbytes_per_s: rate(s.median_ms, N * bytesPerElement(dtypeOf[k]!)),
          ratio_vs_raw_tcp_median: rawStats.median_ms / s.median_ms,
          ratio_vs_raw_tcp_min: rawStats.min_ms / s.min_ms,
          client_cpu_median_ms: stats(cpu[k]!.client).median_ms,
          coordinator_cpu_ms_per_exchange: cpu[k]!.coordinatorPerExchange,
        },
      ];
    }),
);
const report = {
  bench: 'distributed-exchange',
  what: 'one exchange of mnistfc x (float32) through the real coordinator process vs a raw TCP echo process, interleaved',
  params: N,
  bytes_each_way: each,
  iters: ITERS,
  warmup: WARMUP,
  ...machine(),
  raw_tcp: { ...rawStats, gbytes_per_s: rate(rawStats.median_ms) },
  coordinator: variants,
  target: 'bytes/s through the coordinator >= 50% of raw loopback TCP (ratio_vs_raw_tcp_median >= 0.5)',
};
const json = JSON.stringify(report, null, 2);
process.stdout.write(json + '\n');
if (OUT) writeFileSync(OUT, json + '\n');
if (PLOT) {
  const series = Object.entries(results).map(([name, ms]) => ({ name, points: ms.map((y, i) => ({ x: i + 1, y })) }));
  const files = await writeChart(PLOT, [{ title: 'one exchange of mnistfc x (7.47 MB each way)', xLabel: 'iteration', yLabel: 'latency (ms)', logY: true, series }], {
    title: `coordinator vs raw TCP, ${machine().cores} cores`,
  });
  process.stderr.write(`plot: ${files.join(', ')}\n`);
}
process.exit(0);
