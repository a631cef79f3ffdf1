// Reproduces Deep Relaxation Table 1 (mnistfc, LeNet; All-CNN with --data-dir) and the distributed
// time-to-target table. Resumable: every finished run is stored as runs/<key>.json and is never run
// again; an interrupted run starts over. See README.md beside this file.
//
//   node --conditions=deeprelax-src --import tsx bench/reproduce/run.ts \
//        --models mnistfc,lenet --algos esgd,heat,hesgd,hj,sgd --seeds 3 --out bench/results/table1
//   ... bench/reproduce/run.ts --quick                      (1 seed, 2 epochs, 512/1000 samples)
//   ... bench/reproduce/run.ts --table dist --seeds 3      (Parle, EASGD, dist-ESGD vs SGD, ESGD)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EsgdVariant } from '@deeprelax/core';
import { PIXEL_SCALES, describeScale, type PixelScale } from '@deeprelax/data';
import { ENGINE_CHOICES, type EngineChoice } from '@deeprelax/runtime';
import { RateBook, estimate, formatDuration } from './eta.js';
import { DIST_TARGETS } from './paper.js';
import { DIST_ENTRIES, PlanError, TABLE1_ENTRIES, planCells, type CellSpec, type PlanOptions, type SetOverride, type TableKind } from './plan.js';
import { cellName, runPool } from './pool.js';
import { writeReport } from './report.js';
import { readAllRuns, readRun, removeStaleTemps, type RunRecord } from './store.js';

const USAGE = `usage: node --conditions=deeprelax-src --import tsx bench/reproduce/run.ts [options]

  --table table1|dist        Table 1 (default) or the distributed time-to-target table
  --models a,b               mnistfc,lenet (default); allcnn needs --data-dir
  --algos a,b                table1: esgd,heat,hesgd,hj,sgd; dist: sgd,esgd,parle:2,easgd:2,dist-esgd:2
  --seeds N | a,b,c          N seeds 42..42+N-1 (default 3; --quick: 1), or an explicit list (one seed: --seeds 44,)
  --out DIR                  results directory (default bench/results/table1 or .../distributed, -quick appended)
  --parallel P               cells run at once, each in its own process (default 1)
  --engine auto|torch|tfjs   (default auto: torch when its addon loads)
  --threads T                torch intra-op threads per process (default 1)
  --variant lua|py|dr        ESGD reference variant (default: the preset's, lua)
  --heat gaussian|dr-compat  HEAT estimator (default gaussian)
  --scale raw|unit|lua       MNIST input scaling (default unit)
  --bn-refresh sequential|sampled   BN refresh before evaluation (default sequential, [ESGD-LUA])
  --dropout p                hidden dropout override
  --epochs N | a=N,b=M       epochs for every / some algorithms
  --epochs-policy paper|preset   paper (default): at least the epochs the paper's "@" needs
  --batch-size m, --train-limit n, --test-limit n
  --set target.field=json    optimizer override, target = algorithm, entry (parle:2) or *
  --stop-at-target / --no-stop-at-target   stop at 1.2% / 0.6% (default: on for --table dist)
  --cluster                  run the distributed entries on a local cluster (coordinator + n worker
                             processes over gRPC) instead of the one-process simulation
  --cluster-eval-every E     evaluation interval of cluster runs, in epochs per replica (default 1)
  --data-dir DIR             CIFAR-10 binary directory (allcnn)
  --progress-every S         seconds between progress lines (default 30; --quick: 5)
  --quick                    1 seed, 2 epochs, 512 training / 1000 test samples
  --dry-run                  print the plan and the projected compute time, run nothing
  --rates-from a,b           also take measured throughput from the runs stored in these directories
  --report-only              rebuild results.json, table.md and the plots from stored runs`;

function fail(msg: string): never {
  process.stderr.write(`bench/reproduce: ${msg}\n`);
  process.exit(2);
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) fail(`${flag} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

function posInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseSeeds(v: string | undefined, quick: boolean): number[] {
  if (v === undefined) return quick ? [42] : [42, 43, 44];
  if (v.includes(',')) {
    const seeds = list(v).map(Number);
    if (seeds.some((s) => !Number.isInteger(s) || s < 0)) fail(`--seeds: "${v}" is not a list of integers >= 0`);
    return seeds;
  }
  const n = posInt(v, '--seeds') as number;
  return Array.from({ length: n }, (_, i) => 42 + i);
}

function parseEpochs(v: string | undefined): PlanOptions['epochs'] {
  if (v === undefined) return undefined;
  if (!v.includes('=')) return posInt(v, '--epochs');
  const out: Record<string, number> = {};
  for (const item of list(v)) {
    const [k, n] = item.split('=');
    out[k] = posInt(n, `--epochs ${k}`) as number;
  }
  return out;
}

function parseSet(items: string[]): SetOverride[] {
  return items.map((it) => {
    const m = /^([a-z*][a-z0-9:-]*)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(it);
    if (!m) fail(`--set "${it}": expected target.field=value, e.g. esgd.L=10 or heat.g0=100`);
    let value: unknown = m[3];
    try {
      value = JSON.parse(m[3]);
    } catch {
      /* a bare string */
    }
    return { target: m[1], field: m[2], value };
  });
}

/** The engine a child will pick, for matching stored throughput (no engine is created here). */
async function expectedEngine(choice: EngineChoice): Promise<string> {
  if (choice === 'tfjs') return 'tfjs';
  const torch = await import('@deeprelax/engine-torch');
  const ok = torch.available().ok;
  if (choice === 'torch' && !ok) fail(`--engine torch: the torch engine is unavailable (${torch.available().reason})`);
  return ok ? 'torch' : 'tfjs';
}

function acquireLock(out: string): () => void {
  const lock = join(out, '.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (alive) fail(`${out} is in use by process ${pid} (remove ${lock} if that is wrong)`);
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: false,
      options: {
        table: { type: 'string' },
        models: { type: 'string' },
        algos: { type: 'string' },
        seeds: { type: 'string' },
        out: { type: 'string' },
        parallel: { type: 'string' },
        engine: { type: 'string' },
        threads: { type: 'string' },
        variant: { type: 'string' },
        heat: { type: 'string' },
        scale: { type: 'string' },
        'bn-refresh': { type: 'string' },
        dropout: { type: 'string' },
        epochs: { type: 'string' },
        'epochs-policy': { type: 'string' },
        'batch-size': { type: 'string' },
        'train-limit': { type: 'string' },
        'test-limit': { type: 'string' },
        set: { type: 'string', multiple: true },
        'stop-at-target': { type: 'boolean' },
        'no-stop-at-target': { type: 'boolean' },
        cluster: { type: 'boolean', default: false },
        'cluster-eval-every': { type: 'string' },
        'data-dir': { type: 'string' },
        'progress-every': { type: 'string' },
        quick: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'rates-from': { type: 'string' },
        'report-only': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const quick = v.quick === true;
  const table = oneOf<TableKind>(v.table, ['table1', 'dist'], '--table') ?? 'table1';
  const engine = oneOf<EngineChoice>(v.engine, ENGINE_CHOICES, '--engine') ?? 'auto';
  const dropout = v.dropout === undefined ? undefined : Number(v.dropout);
  if (dropout !== undefined && !(dropout >= 0 && dropout < 1)) fail('--dropout must be in [0, 1)');
  if (v['stop-at-target'] && v['no-stop-at-target']) fail('give --stop-at-target or --no-stop-at-target, not both');
  const threads = posInt(v.threads, '--threads') ?? 1;
  const opts: PlanOptions = {
    table,
    models: list(v.models ?? 'mnistfc,lenet'),
    entries: list(v.algos ?? (table === 'dist' ? DIST_ENTRIES : TABLE1_ENTRIES).join(',')),
    seeds: parseSeeds(v.seeds, quick),
    scale: oneOf<PixelScale>(v.scale, PIXEL_SCALES, '--scale') ?? 'unit',
    bnRefresh: oneOf(v['bn-refresh'], ['sequential', 'sampled'] as const, '--bn-refresh') ?? 'sequential',
    variant: oneOf<EsgdVariant>(v.variant, ['lua', 'py', 'dr'], '--variant'),
    heat: oneOf(v.heat, ['gaussian', 'dr-compat'] as const, '--heat') ?? 'gaussian',
    dropout,
    epochsPolicy: oneOf(v['epochs-policy'], ['paper', 'preset'] as const, '--epochs-policy') ?? 'paper',
    epochs: parseEpochs(v.epochs) ?? (quick ? 2 : undefined),
    batchSize: posInt(v['batch-size'], '--batch-size'),
    trainLimit: posInt(v['train-limit'], '--train-limit') ?? (quick ? 512 : undefined),
    testLimit: posInt(v['test-limit'], '--test-limit') ?? (quick ? 1000 : undefined),
    set: parseSet(v.set ?? []),
    stopAtTarget: v['stop-at-target'] ? true : v['no-stop-at-target'] ? false : table === 'dist',
    targets: DIST_TARGETS,
    dataDir: v['data-dir'],
    cluster: v.cluster === true,
    clusterEvalEvery: v['cluster-eval-every'] === undefined ? undefined : Number(v['cluster-eval-every']),
    threads,
  };
  if (opts.clusterEvalEvery !== undefined && !(opts.clusterEvalEvery > 0)) fail('--cluster-eval-every must be > 0');
  // (not "dist": the repository ignores every dist/ folder)
  const out = v.out ?? join('bench', 'results', `${table === 'dist' ? 'distributed' : table}${quick ? '-quick' : ''}`);
  const parallel = posInt(v.parallel, '--parallel') ?? 1;
  const progressEvery = v['progress-every'] === undefined ? (quick ? 5 : 30) : Number(v['progress-every']);
  if (!(progressEvery > 0)) fail('--progress-every must be > 0');

  let cells: CellSpec[];
  try {
    cells = planCells(opts);
  } catch (e) {
    if (e instanceof PlanError) fail(e.message);
    throw e;
  }
  const log = (line: string) => process.stderr.write(line + '\n');
  const settings: Record<string, unknown> = {
    command: `bench/reproduce/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    table,
    models: opts.models.join(','),
    algorithms: opts.entries.join(','),
    seeds: opts.seeds.join(','),
    'input scaling': cells[0]?.dataset === 'mnist' ? describeScale(opts.scale) : 'n/a',
    'BN refresh': opts.bnRefresh,
    'ESGD variant': opts.variant ?? 'preset (lua)',
    'HEAT estimator': opts.heat,
    dropout: opts.dropout ?? 'model default',
    'epochs policy': opts.epochs === undefined ? opts.epochsPolicy : `override ${JSON.stringify(opts.epochs)}`,
    'train / test samples': `${opts.trainLimit ?? 'all'} / ${opts.testLimit ?? 'all'}`,
    overrides: opts.set.map((s) => `${s.target}.${s.field}=${JSON.stringify(s.value)}`).join(' ') || 'none',
    'stop at target': opts.stopAtTarget,
    runner: opts.cluster ? `distributed entries on a local cluster (eval every ${opts.clusterEvalEvery ?? 'preset'} epochs)` : 'one process (simulation)',
  };

  // A dry run only reads: it must not leave an empty results directory behind.
  if (!v['dry-run']) mkdirSync(out, { recursive: true });
  const engineName = await expectedEngine(engine);
  const rates = new RateBook(engineName);
  for (const dir of [out, ...list(v['rates-from'] ?? '')]) for (const r of readAllRuns(dir)) rates.addRun(r);
  const stored = new Map<string, RunRecord>();
  for (const c of cells) {
    const r = readRun(out, c.key);
    if (r) stored.set(c.key, r);
  }
  const todo = cells.filter((c) => !stored.has(c.key));
  const est = estimate(rates, [], todo.map((cell) => ({ cell, doneGradCalls: 0 })), parallel);
  const totalCalls = todo.reduce((s, c) => s + c.totalGradCalls, 0);
  log(
    `bench/reproduce: ${table}, ${cells.length} cells (${stored.size} stored, ${todo.length} to run), engine ${engineName}, ${parallel} process(es) × ${threads} thread(s), out ${out}; ` +
      `${(totalCalls / 1e6).toFixed(2)}M gradient calls to go, projected ${formatDuration(est.seconds)} wall / ${formatDuration(est.computeSeconds)} compute` +
      (est.seconds === undefined ? ` (at least ${formatDuration(est.knownSeconds)}; ${est.unmeasured.join(', ')} not measured yet)` : ''),
  );
  if (v['dry-run']) {
    for (const c of cells) {
      const s = estimate(rates, [], [{ cell: c, doneGradCalls: 0 }], 1).seconds;
      process.stdout.write(
        `${stored.has(c.key) ? 'stored' : 'to run'}  ${cellName(c).padEnd(26)} ${String(c.epochs).padStart(4)} epochs  ${String(c.epochs * c.effectiveEpochFactor).padStart(5)} eff. epochs  ` +
          `${(c.totalGradCalls / 1e3).toFixed(0).padStart(6)}k grad calls  ${formatDuration(s).padStart(7)}  ${c.key}\n`,
      );
    }
    return 0;
  }

  const release = acquireLock(out);
  let failed: { key: string; message: string }[] = [];
  let interrupted = false;
  try {
    if (!v['report-only'] && todo.length > 0) {
      removeStaleTemps(out);
      const ac = new AbortController();
      const onSignal = () => {
        log('bench/reproduce: interrupted; stopping the running cells (they will start over next time)');
        ac.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const res = await runPool(todo, {
        out,
        engine,
        threads,
        parallel,
        progressEvery,
        rates,
        planned: cells.length,
        alreadyDone: stored.size,
        log,
        signal: ac.signal,
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      for (const r of res.finished) stored.set(r.key, r);
      failed = res.failed;
      interrupted = res.interrupted;
    }
    const files = await writeReport({ table, out, cells, runs: stored, failed, settings, targets: opts.targets });
    log(`bench/reproduce: ${stored.size}/${cells.length} runs stored; wrote ${files.results}, ${files.table}, ${files.plots.join(', ')}`);
    process.stdout.write(readFileSync(files.table, 'utf8'));
  } finally {
    release();
  }
  if (interrupted) return 130;
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench/reproduce: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
