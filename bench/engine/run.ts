// Engine throughput benchmark: samples/s of one training step loop (batch 128, lossAndGrad plus an
// SGD update) for mnistfc and LeNet on the torch engine, on PyTorch itself (python3, same spec,
// same loop, same thread count) and on tfjs's pure-JavaScript backend (a few steps), measured in
// one run with torch and PyTorch interleaved round by round so that load on the machine hits both
// alike; plus the torch engine's RSS over a long run (memory.ts, in its own process).
// Prints JSON and writes results/engine.json and results/engine.svg.
//
//   node --conditions=deeprelax-src --import tsx bench/engine/run.ts [--rounds 3] [--seconds 3]
//        [--threads 1] [--models mnistfc,lenet] [--memory-steps 10000] [--no-tfjs] [--no-pytorch] [--no-memory]
//        [--pytorch-blas DIR]
// Debian's PyTorch uses the reference BLAS for dense layers. --pytorch-blas DIR adds a second
// PyTorch column that loads the libblas.so.3 in DIR instead, e.g. OpenBLAS unpacked without
// installing it:  apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob
//                 --pytorch-blas ob/usr/lib/x86_64-linux-gnu/openblas-pthread
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTfjsEngine } from '@deeprelax/engine-tfjs';
import { available, createTorchEngine } from '@deeprelax/engine-torch';
import { SPECS } from './specs.js';
import { timeLoop, type LoopResult } from './loop.js';
import { findPythonTorch, runPyTorch } from './pytorch.js';
import { barChartSvg } from './svg.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'mnistfc,lenet' },
    batch: { type: 'string', default: '128' },
    threads: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    'tfjs-steps': { type: 'string', default: '3' },
    // the backend a user gets by default (wasm here, tfjs-node where installed); 'cpu' for pure JS
    'tfjs-backend': { type: 'string', default: 'auto' },
    'memory-steps': { type: 'string', default: '10000' },
    'memory-model': { type: 'string', default: 'lenet' },
    out: { type: 'string', default: join(here, 'results') },
    'no-tfjs': { type: 'boolean', default: false },
    'no-pytorch': { type: 'boolean', default: false },
    'no-memory': { type: 'boolean', default: false },
    'pytorch-blas': { type: 'string' },
  },
});
const batchSize = Number(values.batch);
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const minSeconds = Number(values.seconds);
const log = (msg: string) => process.stderr.write(`bench/engine: ${msg}\n`);

const torchStatus = available();
if (!torchStatus.ok) {
  log(`torch engine unavailable: ${torchStatus.reason}`);
  process.exit(1);
}
const torch = createTorchEngine({ threads, device: 'cpu' });
const py = values['no-pytorch'] ? null : findPythonTorch();
if (!values['no-pytorch'] && !py) log('no python with torch found (set PYTHON): PyTorch column skipped');

const median = <T>(xs: T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)];
const summary = (r: LoopResult) => ({
  samplesPerSecond: Math.round(r.samplesPerSecond),
  samplesPerCpuSecond: Math.round(r.samplesPerCpuSecond),
  steps: r.steps,
});

const loadBefore = loadavg();
const results: Record<string, unknown> = {};
const chart: Array<{ label: string; note: string; bars: Array<{ series: string; value: number | null }> }> = [];
for (const name of values.models!.split(',')) {
  const spec = SPECS[name];
  if (!spec) throw new Error(`unknown model '${name}' (have ${Object.keys(SPECS).join(', ')})`);
  const loop = { batchSize, warmup: 5, minSteps: 5, maxSteps: 100_000, minSeconds, lr: 0.01 };
  const torchRuns: LoopResult[] = [];
  const pyRuns: LoopResult[] = [];
  const blasRuns: LoopResult[] = [];
  const blasDir = values['pytorch-blas'] ?? null;
  for (let r = 0; r < rounds; r++) {
    torchRuns.push(timeLoop(torch, spec, loop));
    log(`${name} round ${r + 1}: torch ${torchRuns[r].samplesPerSecond.toFixed(0)} samples/s`);
    if (py) {
      pyRuns.push(runPyTorch(py, spec, { ...loop, threads }));
      log(`${name} round ${r + 1}: pytorch ${pyRuns[r].samplesPerSecond.toFixed(0)} samples/s`);
      if (blasDir) {
        blasRuns.push(runPyTorch(py, spec, { ...loop, threads }, blasDir));
        log(`${name} round ${r + 1}: pytorch with ${blasDir}/libblas.so.3 ${blasRuns[r].samplesPerSecond.toFixed(0)} samples/s`);
      }
    }
  }
  let tfjs: (LoopResult & { backend: string }) | null = null;
  if (!values['no-tfjs']) {
    const engine = await createTfjsEngine({ backend: (values['tfjs-backend'] as 'auto' | 'wasm' | 'cpu') ?? 'auto' });
    const steps = Number(values['tfjs-steps']);
    tfjs = { ...timeLoop(engine, spec, { ...loop, warmup: 1, minSteps: steps, maxSteps: steps, minSeconds: 0 }), backend: engine.description };
    log(`${name}: tfjs ${tfjs.samplesPerSecond.toFixed(1)} samples/s (${tfjs.backend})`);
  }
  const t = median(torchRuns, (x) => x.samplesPerSecond);
  const p = pyRuns.length ? median(pyRuns, (x) => x.samplesPerSecond) : null;
  const tc = median(torchRuns, (x) => x.samplesPerCpuSecond);
  const pc = pyRuns.length ? median(pyRuns, (x) => x.samplesPerCpuSecond) : null;
  const pb = blasRuns.length ? median(blasRuns, (x) => x.samplesPerSecond) : null;
  const pbc = blasRuns.length ? median(blasRuns, (x) => x.samplesPerCpuSecond) : null;
  const ratio = p ? t.samplesPerSecond / p.samplesPerSecond : null;
  const ratioCpu = pc ? tc.samplesPerCpuSecond / pc.samplesPerCpuSecond : null;
  results[name] = {
    torch: { ...summary(t), samplesPerCpuSecond: Math.round(tc.samplesPerCpuSecond), description: torch.description, rounds: torchRuns.map(summary) },
    pytorch: p ? { ...summary(p), samplesPerCpuSecond: Math.round(pc!.samplesPerCpuSecond), rounds: pyRuns.map(summary), python: py?.python, version: py?.version } : null,
    pytorchOtherBlas: pb
      ? { ...summary(pb), samplesPerCpuSecond: Math.round(pbc!.samplesPerCpuSecond), rounds: blasRuns.map(summary), blasDir }
      : null,
    torchOverPytorchOtherBlas: pb ? Number((t.samplesPerSecond / pb.samplesPerSecond).toFixed(2)) : null,
    torchOverPytorchOtherBlasCpuTime: pbc ? Number((tc.samplesPerCpuSecond / pbc.samplesPerCpuSecond).toFixed(2)) : null,
    tfjs: tfjs ? { ...summary(tfjs), samplesPerSecond: Number(tfjs.samplesPerSecond.toFixed(1)), samplesPerCpuSecond: Number(tfjs.samplesPerCpuSecond.toFixed(1)), backend: tfjs.backend } : null,
    torchOverPytorch: ratio === null ? null : Number(ratio.toFixed(2)),
    torchOverPytorchCpuTime: ratioCpu === null ? null : Number(ratioCpu.toFixed(2)),
    torchOverTfjs: tfjs ? Number((t.samplesPerSecond / tfjs.samplesPerSecond).toFixed(0)) : null,
  };
  chart.push({
    label: name,
    note:
      ratio === null
        ? ''
        : `torch / PyTorch = ${ratio.toFixed(2)}x` + (pb ? `; vs PyTorch + other BLAS ${(t.samplesPerSecond / pb.samplesPerSecond).toFixed(2)}x` : ''),
    bars: [
      { series: `torch engine (${threads} thread)`, value: t.samplesPerSecond },
      { series: `PyTorch ${py?.version ?? ''} (python)`, value: p?.samplesPerSecond ?? null },
      ...(blasDir ? [{ series: `PyTorch + ${basename(blasDir)}`, value: pb?.samplesPerSecond ?? null }] : []),
      { series: `tfjs (${tfjs?.backend.split(' ')[2] ?? 'n/a'})`, value: tfjs?.samplesPerSecond ?? null },
    ],
  });
}

let memory: unknown = null;
if (!values['no-memory']) {
  log(`memory: ${values['memory-steps']} steps of ${values['memory-model']} in a child process`);
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, join(here, 'memory.ts'), '--model', values['memory-model']!, '--steps', values['memory-steps']!, '--batch', String(batchSize)],
    { encoding: 'utf8', timeout: 3_600_000 },
  );
  if (r.status !== 0) throw new Error(`memory run failed: ${r.stderr}`);
  memory = JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
  config: { batchSize, threads, rounds, minSecondsPerRound: minSeconds, step: 'lossAndGrad + SGD update (axpy / optimizer.step), loss and correct read back' },
  torch: { description: torch.description, available: torchStatus.reason },
  results,
  memory,
};
mkdirSync(values.out!, { recursive: true });
writeFileSync(join(values.out!, 'engine.json'), JSON.stringify(report, null, 2) + '\n');
writeFileSync(
  join(values.out!, 'engine.svg'),
  barChartSvg(
    'Training step throughput: torch engine vs PyTorch vs tfjs',
    `batch ${batchSize}, ${threads} thread, ${cpus()[0]?.model ?? 'cpu'}; median of ${rounds} interleaved rounds (tfjs: ${values['tfjs-steps']} steps)`,
    'samples / s (log scale)',
    chart,
  ),
);
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
log(`wrote ${join(values.out!, 'engine.json')} and engine.svg`);
