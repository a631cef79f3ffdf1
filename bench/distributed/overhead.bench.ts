// Distributed overhead: training samples per second of a Parle job (mnistfc on MNIST, L = 25,
// batch 128) run by 1 and by 2 workers through the real coordinator (child processes, gRPC on
// loopback), next to the same algorithm in one process (core's one-process Parle with 1 replica,
// no exchanges). Target (DESIGN.md): the exchange hidden behind compute, 2 workers >= 1.9x one
// worker where the machine has the cores (the coordinator needs some CPU too).
//
//   node --conditions=deeprelax-src --import tsx bench/distributed/overhead.bench.ts [--rounds 40] [--engine auto] [--out FILE]
import { writeFileSync } from 'node:fs';
import { createOptimizer } from '@deeprelax/core';
import { loadDataset, trainingSource } from '@deeprelax/data';
import { getModelSpec } from '@deeprelax/models';
import { JobsClient, isTerminalJobState, type JobSpec } from '@deeprelax/rpc';
import { selectEngine } from '@deeprelax/runtime';
import { writeChart } from '@deeprelax/plot';
import { args, machine, spawnService, startCoordinator } from './common.js';

const a = args();
const ROUNDS = Number(a.get('rounds', '40'));
const WARM = Number(a.get('warmup-rounds', '3'));
const L = Number(a.get('L', '25'));
const MODEL = a.get('model', 'mnistfc');
const ENGINE = a.get('engine', 'auto');
const OUT = a.get('out', '');
const PLOT = a.get('plot', OUT ? OUT.replace(/\.json$/, '') + '.svg' : '');
const BATCH = 128;
const NB = Math.ceil(60_000 / BATCH);

async function oneProcess(): Promise<{ samples_per_s: number; rounds: number; seconds: number; engine: string }> {
  const { engine } = await selectEngine(ENGINE as 'auto', { threads: 1 });
  const ds = await loadDataset({ name: 'mnist' });
  const model = engine.createModel(getModelSpec(MODEL), { seed: 1 });
  const opt = createOptimizer(model, trainingSource(ds.train, { batchSize: BATCH, seed: 1 }), { algorithm: 'parle', replicas: 1, L, lr: 0.05 });
  for (let k = 0; k < WARM; k++) opt.step();
  const t0 = performance.now();
  for (let k = 0; k < ROUNDS - WARM; k++) opt.step();
  const s = (performance.now() - t0) / 1000;
  opt.dispose();
  model.dispose();
  return { samples_per_s: ((ROUNDS - WARM) * L * BATCH) / s, rounds: ROUNDS - WARM, seconds: s, engine: engine.description };
}

async function distributed(workers: number, overlap: boolean): Promise<{ samples_per_s: number; per_worker_samples_per_s: number; rounds: number; seconds: number; round_ms: number }> {
  const coord = await startCoordinator({ DEEPRELAX_ENGINE: ENGINE, DEEPRELAX_PROGRESS_INTERVAL_MS: '100' });
  const ws = Array.from({ length: workers }, (_, i) =>
    spawnService('worker', {
      DEEPRELAX_COORDINATOR: coord.address,
      DEEPRELAX_METRICS_PORT: 'off',
      DEEPRELAX_ENGINE: ENGINE,
      DEEPRELAX_THREADS: '1',
      DEEPRELAX_WORKER_NAME: `bench-${i}`,
      DEEPRELAX_OVERLAP_EXCHANGE: String(overlap),
    }),
  );
  const jobs = new JobsClient(coord.address);
  try {
    const spec: JobSpec = {
      name: `bench-overhead-${workers}`,
      model: MODEL,
      dataset: { name: 'mnist', valLimit: 100 },
      algorithm: 'ALGORITHM_PARLE',
      epochs: ROUNDS / NB,
      seed: 1,
      minWorkers: workers,
      maxWorkers: workers,
      evalInterval: { seconds: 86_400 },
      checkpointInterval: { seconds: 86_400 },
      hyper: { innerSteps: L, batchSize: BATCH, lr: { constant: 0.05 } },
    };
    const job = await jobs.submitJob(spec);
    let tWarm = 0;
    let rWarm = 0;
    let tEnd = 0;
    let rEnd = 0;
    for (;;) {
      const j = await jobs.getJob(job.id);
      const r = Number(j.progress?.round ?? 0);
      const now = performance.now();
      if (!tWarm && r >= WARM) {
        tWarm = now;
        rWarm = r;
      }
      if (tWarm && r > rEnd) {
        rEnd = r;
        tEnd = now;
      }
      if (isTerminalJobState(j.state)) {
        if (j.state !== 'JOB_STATE_SUCCEEDED') throw new Error(`job ${j.state}: ${j.error?.message}`);
        break;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    const rounds = rEnd - rWarm;
    const s = (tEnd - tWarm) / 1000;
    const samples = rounds * L * BATCH * workers;
    return { samples_per_s: samples / s, per_worker_samples_per_s: samples / s / workers, rounds, seconds: s, round_ms: (1000 * s) / rounds };
  } finally {
    jobs.close();
    await Promise.all(ws.map((w) => w.stop()));
    await coord.stop();
  }
}

const single = await oneProcess();
process.stderr.write(`one process: ${single.samples_per_s.toFixed(0)} samples/s\n`);
// Workers as they run by default (each round closes before the next inner loop) and workers that
// upload a round's x^a while computing the next inner loop (DEEPRELAX_OVERLAP_EXCHANGE=true).
const d1 = await distributed(1, false);
process.stderr.write(`1 worker: ${d1.samples_per_s.toFixed(0)} samples/s\n`);
const d2 = await distributed(2, false);
process.stderr.write(`2 workers: ${d2.samples_per_s.toFixed(0)} samples/s\n`);
const o1 = await distributed(1, true);
process.stderr.write(`1 worker, overlapped upload: ${o1.samples_per_s.toFixed(0)} samples/s\n`);
const o2 = await distributed(2, true);
process.stderr.write(`2 workers, overlapped upload: ${o2.samples_per_s.toFixed(0)} samples/s\n`);

const report = {
  bench: 'distributed-overhead',
  what: `Parle ${MODEL} on MNIST, L = ${L}, batch ${BATCH}: samples/s (all replicas) after ${WARM} warm-up rounds`,
  rounds: ROUNDS,
  ...machine(),
  one_process: single,
  workers_1: d1,
  workers_2: d2,
  workers_1_overlap: o1,
  workers_2_overlap: o2,
  ratios: {
    one_worker_vs_one_process: d1.samples_per_s / single.samples_per_s,
    two_workers_vs_one_worker: d2.samples_per_s / d1.samples_per_s,
    two_workers_vs_one_process: d2.samples_per_s / single.samples_per_s,
    overlap_gain_1_worker: o1.samples_per_s / d1.samples_per_s,
    overlap_gain_2_workers: o2.samples_per_s / d2.samples_per_s,
    overlap_two_workers_vs_one_worker: o2.samples_per_s / o1.samples_per_s,
  },
  exchange_bytes_per_round_per_worker: { up: 2 * 4 * 1_867_786, down: 4 * 1_867_786 },
  target: '2 workers >= 1.9x one worker where the machine has the cores (this one has ' + machine().cores + ', shared with the coordinator and other load)',
};
const json = JSON.stringify(report, null, 2);
process.stdout.write(json + '\n');
if (OUT) writeFileSync(OUT, json + '\n');
if (PLOT) {
  const files = await writeChart(
    PLOT,
    [
      {
        title: 'training throughput, Parle mnistfc',
        xLabel: 'replicas (0 = one process, no exchanges)',
        yLabel: 'samples/s (all replicas)',
        series: [
          { name: 'one process', points: [{ x: 0, y: single.samples_per_s }] },
          { name: 'distributed', points: [{ x: 1, y: d1.samples_per_s }, { x: 2, y: d2.samples_per_s }] },
          { name: 'distributed, overlapped upload', points: [{ x: 1, y: o1.samples_per_s }, { x: 2, y: o2.samples_per_s }] },
          { name: 'ideal (p x 1 worker)', points: [{ x: 1, y: d1.samples_per_s }, { x: 2, y: 2 * d1.samples_per_s }] },
        ],
      },
    ],
    { title: `distributed overhead, ${machine().cores} cores, load ${machine().load_average.map((l) => l.toFixed(1)).join(' ')}` },
  );
  process.stderr.write(`plot: ${files.join(', ')}\n`);
}
process.exit(0);
