// From stored runs to the outputs: results.json (every run with its curve, plus the aggregated
// cells), table.md (the paper's format with the paper's value and the gap beside each cell, or the
// distributed time-to-target table) and the two SVG plots (validation error against effective epochs
// and against wall-clock, one panel per model, every algorithm).
//
// What a cell reports (the "@"): the seed-averaged validation-error curve ē(e) over effective epochs
// e is formed (only at epochs every seed evaluated); the cell is min_e ē(e) ± the sample standard
// deviation across seeds at that epoch, @ the first effective epoch e* where the minimum is attained.
// That is the lowest point of the mean curve the authors plot (plotlog.py: seaborn tsplot of top-1
// error over e·L, unit = seed). The per-seed view (mean ± std of each seed's own best, @ the mean of
// the epochs where they were attained) and the final-epoch error are reported next to it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeChart, type Panel, type Series } from '@deeprelax/plot';
import { MODEL_HEADINGS, NOTES_DIFFERENCES, TABLE1_COLUMNS, paperCell, tolerance, type PaperCell } from './paper.js';
import type { CellSpec, TableKind } from './plan.js';
import { writeJsonAtomic, type RunRecord } from './store.js';
import { reachesTarget } from './target.js';

export const RESULTS_SCHEMA = 'deeprelax.reproduce.results/1';

export interface Stat {
  /** Percent. */
  mean: number;
  /** Sample standard deviation across seeds (percent); null with fewer than two seeds. */
  std: number | null;
  n: number;
}

export interface AtValue extends Stat {
  /** Effective epochs ("@"). */
  at: number;
  epoch: number;
}

export interface MeanPoint {
  effectiveEpochs: number;
  epoch: number;
  /** Validation error, percent: mean and sample std over seeds. */
  mean: number;
  std: number | null;
  /** Mean wall-clock since the start of training, ms. */
  wallMs: number;
}

export interface TargetTime {
  /** Seeds that reached the target. */
  reached: number;
  /** Measured wall-clock (evaluations included) to the first evaluation at or below target, seconds. */
  seconds: Stat | null;
  /** For simulated replicas: training time divided by the replica count, plus evaluation time, seconds. */
  projectedParallelSeconds: Stat | null;
  effectiveEpochs: Stat | null;
  /** Speed-up against SGD on the same model (SGD seconds / these seconds), measured and projected. */
  speedupVsSgd: number | null;
  projectedSpeedupVsSgd: number | null;
}

export interface CellSummary {
  model: string;
  entry: string;
  label: string;
  algorithm: string;
  replicas: number;
  /** Run on a local cluster of processes (cluster-cell.ts) rather than simulated in one process. */
  cluster: boolean;
  seedsPlanned: number;
  seedsDone: number;
  diverged: number;
  /** The table value: lowest point of the seed-mean curve. */
  reported: AtValue | null;
  /** The same, over effective epochs <= the paper's "@" only. */
  withinPaperBudget: AtValue | null;
  perSeedBest: AtValue | null;
  final: AtValue | null;
  paper: PaperCell | null;
  /** reported − paper, percentage points. */
  gap: number | null;
  budgetGap: number | null;
  tolerance: number | null;
  /** Issue 5's target on the budget value: 'within' |gap| <= tol, 'better', 'worse', or null. */
  verdict: 'within' | 'better' | 'worse' | null;
  meanCurve: MeanPoint[];
  effectiveEpochsRun: number;
  meanWallSeconds: number | null;
  meanSamplesPerSecond: number | null;
  target?: { error: number; time: TargetTime };
}

export interface ReportContext {
  table: TableKind;
  out: string;
  cells: CellSpec[];
  runs: Map<string, RunRecord>;
  failed: { key: string; message: string }[];
  settings: Record<string, unknown>;
  targets: Record<string, number>;
}

export interface ReportFiles {
  results: string;
  table: string;
  plots: string[];
}

function stat(xs: number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const std = n < 2 ? null : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return { mean, std, n };
}

/** The seed-mean curve at the effective epochs every run evaluated. */
export function meanCurve(runs: RunRecord[]): MeanPoint[] {
  if (runs.length === 0) return [];
  const by = new Map<number, { epoch: number; errs: number[]; walls: number[] }>();
  for (const r of runs) {
    for (const p of r.curve) {
      if (p.valError === null) continue;
      const e = by.get(p.effectiveEpochs) ?? { epoch: p.epoch, errs: [], walls: [] };
      e.errs.push(100 * p.valError);
      e.walls.push(p.wallMs);
      by.set(p.effectiveEpochs, e);
    }
  }
  return [...by.entries()]
    .filter(([, v]) => v.errs.length === runs.length)
    .sort((a, b) => a[0] - b[0])
    .map(([ee, v]) => {
      const s = stat(v.errs);
      return { effectiveEpochs: ee, epoch: v.epoch, mean: s.mean, std: s.std, wallMs: v.walls.reduce((a, b) => a + b, 0) / v.walls.length };
    });
}

/** Lowest point of a mean curve (first one on ties), optionally only up to `maxEe`. */
export function minOfCurve(curve: MeanPoint[], n: number, maxEe = Infinity): AtValue | null {
  let best: MeanPoint | null = null;
  for (const p of curve) if (p.effectiveEpochs <= maxEe && (best === null || p.mean < best.mean)) best = p;
  return best === null ? null : { mean: best.mean, std: best.std, n, at: best.effectiveEpochs, epoch: best.epoch };
}

function perSeedBest(runs: RunRecord[]): AtValue | null {
  const bests = runs
    .map((r) => r.curve.filter((p) => p.valError !== null).reduce<RunRecord['curve'][number] | null>((b, p) => (b === null || (p.valError as number) < (b.valError as number) ? p : b), null))
    .filter((p): p is NonNullable<typeof p> => p !== null);
  if (bests.length === 0) return null;
  const s = stat(bests.map((p) => 100 * (p.valError as number)));
  return { ...s, at: stat(bests.map((p) => p.effectiveEpochs)).mean, epoch: stat(bests.map((p) => p.epoch)).mean };
}

function finalOf(runs: RunRecord[]): AtValue | null {
  const lasts = runs.map((r) => [...r.curve].reverse().find((p) => p.valError !== null)).filter((p): p is NonNullable<typeof p> => p !== undefined);
  if (lasts.length === 0) return null;
  const s = stat(lasts.map((p) => 100 * (p.valError as number)));
  return { ...s, at: stat(lasts.map((p) => p.effectiveEpochs)).mean, epoch: stat(lasts.map((p) => p.epoch)).mean };
}

function timeToTarget(runs: RunRecord[], target: number, replicas: number, cluster: boolean): Omit<TargetTime, 'speedupVsSgd' | 'projectedSpeedupVsSgd'> {
  const secs: number[] = [];
  const proj: number[] = [];
  const ees: number[] = [];
  for (const r of runs) {
    let evalMs = 0;
    for (const p of r.curve) {
      evalMs += p.evalMs;
      if (p.valError !== null && reachesTarget(p.valError, target)) {
        secs.push(p.wallMs / 1000);
        proj.push(((p.wallMs - evalMs) / replicas + evalMs) / 1000);
        ees.push(p.effectiveEpochs);
        break;
      }
    }
  }
  return {
    reached: secs.length,
    seconds: secs.length ? stat(secs) : null,
    // A cluster run's replicas already ran in parallel: nothing to project.
    projectedParallelSeconds: secs.length && !cluster ? stat(proj) : null,
    effectiveEpochs: ees.length ? stat(ees) : null,
  };
}

export function summarize(ctx: ReportContext): CellSummary[] {
  const groups = new Map<string, { cells: CellSpec[] }>();
  for (const c of ctx.cells) {
    const k = `${c.model}|${c.entry}`;
    const g = groups.get(k) ?? { cells: [] };
    g.cells.push(c);
    groups.set(k, g);
  }
  const out: CellSummary[] = [];
  for (const { cells } of groups.values()) {
    const c0 = cells[0];
    const runs = cells.map((c) => ctx.runs.get(c.key)).filter((r): r is RunRecord => r !== undefined);
    const curve = meanCurve(runs);
    const paper = c0.replicas > 1 || ctx.table === 'dist' ? null : (paperCell(c0.model, c0.algorithm) ?? null);
    const reported = minOfCurve(curve, runs.length);
    const budget = paper ? minOfCurve(curve, runs.length, paper.at) : null;
    const tol = paper ? tolerance(paper) : null;
    const budgetGap = paper && budget ? budget.mean - paper.error : null;
    const s: CellSummary = {
      model: c0.model,
      entry: c0.entry,
      label: c0.label,
      algorithm: c0.algorithm,
      replicas: c0.replicas,
      cluster: c0.runner === 'cluster',
      seedsPlanned: cells.length,
      seedsDone: runs.length,
      diverged: runs.filter((r) => r.status === 'diverged').length,
      reported,
      withinPaperBudget: budget,
      perSeedBest: perSeedBest(runs),
      final: finalOf(runs),
      paper,
      gap: paper && reported ? reported.mean - paper.error : null,
      budgetGap,
      tolerance: tol,
      verdict: budgetGap === null || tol === null ? null : Math.abs(budgetGap) <= tol + 1e-9 ? 'within' : budgetGap < 0 ? 'better' : 'worse',
      meanCurve: curve,
      effectiveEpochsRun: c0.epochs * c0.effectiveEpochFactor,
      meanWallSeconds: runs.length ? stat(runs.map((r) => r.wallMs / 1000)).mean : null,
      meanSamplesPerSecond: runs.length ? stat(runs.map((r) => r.samplesPerSecond)).mean : null,
    };
    const target = ctx.targets[c0.model];
    if (ctx.table === 'dist' && target !== undefined) {
      s.target = { error: 100 * target, time: { ...timeToTarget(runs, target, c0.replicas, c0.runner === 'cluster'), speedupVsSgd: null, projectedSpeedupVsSgd: null } };
    }
    out.push(s);
  }
  if (ctx.table === 'dist') {
    for (const s of out) {
      const sgd = out.find((o) => o.model === s.model && o.entry === 'sgd');
      const a = sgd?.target?.time.seconds?.mean;
      const b = s.target?.time.seconds?.mean;
      const pb = s.target?.time.projectedParallelSeconds?.mean;
      if (s.target && a !== undefined && b !== undefined) s.target.time.speedupVsSgd = a / b;
      if (s.target && a !== undefined && pb !== undefined) s.target.time.projectedSpeedupVsSgd = a / pb;
    }
  }
  return out;
}

const f2 = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
const roundAt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function formatAt(v: AtValue | null): string {
  if (!v) return '—';
  return `${f2(v.mean)} ± ${v.std === null ? '–' : f2(v.std)} @ ${roundAt(v.at)}`;
}

function formatPaper(p: PaperCell): string {
  return `${f2(p.error)} ± ${f2(p.std)} @ ${p.at}`;
}

const VERDICT: Record<string, string> = { within: '✓', better: '✓ (better)', worse: '✗' };

function settingsLines(ctx: ReportContext): string[] {
  return Object.entries(ctx.settings).map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
}

function testSetSize(ctx: ReportContext): string {
  const sizes = [...new Set([...ctx.runs.values()].filter((r) => ctx.cells.some((c) => c.key === r.key)).map((r) => r.testSamples))];
  return sizes.length ? sizes.join(' / ') : '—';
}

function table1Markdown(ctx: ReportContext, cells: CellSummary[]): string {
  const models = [...new Set(ctx.cells.map((c) => c.model))];
  const cols = TABLE1_COLUMNS.filter((c) => cells.some((s) => s.algorithm === c.algorithm && s.replicas === 1));
  const extra = [...new Set(cells.filter((s) => !cols.some((c) => c.algorithm === s.algorithm) || s.replicas > 1).map((s) => s.entry))];
  const find = (m: string, pred: (s: CellSummary) => boolean) => cells.find((s) => s.model === m && pred(s));
  const L: string[] = [];
  L.push('# Deep Relaxation Table 1: validation error (%) @ effective epochs', '');
  L.push('Each cell: ours (mean ± std over seeds @ effective epochs), then the paper\'s value and the gap (ours − paper, percentage points) with the target verdict.', '');
  L.push(`| Model | ${[...cols.map((c) => c.heading), ...extra].join(' | ')} |`);
  L.push(`|---|${[...cols, ...extra].map(() => '---').join('|')}|`);
  for (const m of models) {
    const row = cols.map((c) => {
      const s = find(m, (x) => x.algorithm === c.algorithm && x.replicas === 1);
      if (!s) return '—';
      const ours = formatAt(s.reported);
      if (!s.paper) return ours;
      const gap = s.gap === null ? '' : `, ${signed(s.gap)}`;
      return `${ours} (paper ${formatPaper(s.paper)}${gap}${s.verdict ? ` ${VERDICT[s.verdict]}` : ''})`;
    });
    const ex = extra.map((e) => formatAt(find(m, (x) => x.entry === e)?.reported ?? null));
    L.push(`| ${MODEL_HEADINGS[m] ?? m} | ${[...row, ...ex].join(' | ')} |`);
  }
  L.push('', '## Details', '');
  L.push('| model | algorithm | seeds | ours (min of mean curve) | ours, @ ≤ paper\'s | paper | gap | gap @ ≤ paper\'s | tol | target | per-seed best | final | effective epochs run | wall / run | samples/s |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of cells) {
    L.push(
      `| ${s.model} | ${s.label} | ${s.seedsDone}/${s.seedsPlanned}${s.diverged ? ` (${s.diverged} diverged)` : ''} | ${formatAt(s.reported)} | ${formatAt(s.withinPaperBudget)} | ` +
        `${s.paper ? formatPaper(s.paper) : '—'} | ${s.gap === null ? '—' : signed(s.gap)} | ${s.budgetGap === null ? '—' : signed(s.budgetGap)} | ${s.tolerance === null ? '—' : f2(s.tolerance)} | ` +
        `${s.verdict ? VERDICT[s.verdict] : '—'} | ${formatAt(s.perSeedBest)} | ${formatAt(s.final)} | ${roundAt(s.effectiveEpochsRun)} | ` +
        `${s.meanWallSeconds === null ? '—' : `${(s.meanWallSeconds / 60).toFixed(1)} min`} | ${s.meanSamplesPerSecond === null ? '—' : Math.round(s.meanSamplesPerSecond)} |`,
    );
  }
  L.push('', '## How the numbers are defined', '');
  L.push(
    `- **ours**: the validation error (on the test set, ${testSetSize(ctx)} samples, after the batch-norm refresh) of every seed at every evaluated effective epoch is averaged over seeds; the cell is the lowest point of that mean curve, ± the sample standard deviation (n − 1) across seeds at that point, **@ the first effective epoch where it is attained** (effective epochs = epoch × L, L := 1 for SGD; ALGORITHMS.md §3.4).`,
    "- **ours, @ ≤ paper's**: the same minimum taken only over effective epochs up to the paper's \"@\"; this is the value the target is judged on.",
    "- **target** (issue 5): ✓ when |ours@≤paper's − paper| ≤ tol = max(paper's ±, 0.05 pp); ✓ (better) when lower by more than tol; ✗ when higher by more than tol.",
    "- **per-seed best**: mean ± std of each seed's own minimum, @ the mean of the effective epochs where each was attained. **final**: the last evaluation.",
    '- paper: Deep Relaxation Table 1 as on the seed slides (ALGORITHMS.md §3.5).',
  );
  const notes = NOTES_DIFFERENCES.filter((d) => models.includes(d.model));
  if (notes.length) {
    L.push(`- the authors' notes (notes@83fa24b) differ in: ${notes.map((d) => `${d.model} ${d.algorithm} ${formatPaper(d.notes)}`).join('; ')}.`);
  }
  return L.join('\n');
}

function runnerLabel(s: CellSummary): string {
  return s.cluster ? `${s.label} (cluster)` : s.replicas > 1 ? `${s.label} (simulated)` : s.label;
}

function distMarkdown(ctx: ReportContext, cells: CellSummary[]): string {
  const L: string[] = [];
  L.push('# Time to target validation error: distributed modes against single-process SGD and ESGD', '');
  L.push('| model | algorithm | target | seeds reached | wall-clock to target (measured) | projected, replicas in parallel | effective epochs at target | speed-up vs SGD (measured) | speed-up vs SGD (projected) | best error | samples/s |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|');
  const sec = (s: Stat | null | undefined) => (s ? `${s.mean.toFixed(0)} s${s.std === null ? '' : ` ± ${s.std.toFixed(0)}`}` : 'not reached');
  for (const s of cells) {
    if (s.seedsDone === 0) {
      L.push(`| ${s.model} | ${runnerLabel(s)} | ${s.target ? `${f2(s.target.error)}%` : '—'} | not run | — | — | — | — | — | — | — |`);
      continue;
    }
    const t = s.target;
    L.push(
      `| ${s.model} | ${runnerLabel(s)} | ${t ? `${f2(t.error)}%` : '—'} | ${t ? `${t.time.reached}/${s.seedsDone}` : '—'} | ${sec(t?.time.seconds)} | ` +
        `${s.cluster ? '(measured)' : s.replicas > 1 ? sec(t?.time.projectedParallelSeconds) : '(one process)'} | ${t?.time.effectiveEpochs ? roundAt(t.time.effectiveEpochs.mean) : '—'} | ` +
        `${t?.time.speedupVsSgd ? `${t.time.speedupVsSgd.toFixed(2)}×` : '—'} | ${s.replicas > 1 && t?.time.projectedSpeedupVsSgd ? `${t.time.projectedSpeedupVsSgd.toFixed(2)}×` : '—'} | ` +
        `${formatAt(s.reported)} | ${s.meanSamplesPerSecond === null ? '—' : Math.round(s.meanSamplesPerSecond)} |`,
    );
  }
  L.push('', '## How the numbers are defined', '');
  L.push(
    '- **wall-clock to target**: seconds from the start of training (evaluations included) to the first evaluation at or below the target; mean ± std over the seeds that reached it.',
    "- **(cluster)**: run on this machine as the system runs: the coordinator and one worker process per replica, exchanging over gRPC on loopback (`--cluster`); the time is the job's own wall-clock, with the coordinator's evaluations of x running alongside training. Evaluations every `--cluster-eval-every` epochs per replica.",
    "- **(simulated)**: core's one-process simulation: the replicas take turns on one core, so the measured time is the total compute of all replicas. **projected** divides its training time (evaluations excluded) by the replica count, as if each replica had its own core with free exchanges; it is a projection, not a measurement.",
    '- one-process and simulated runs are evaluated at epoch ends only, so a run that crosses the target mid-epoch is credited at the end of that epoch (a Parle epoch is L = 25 effective epochs).',
  );
  return L.join('\n');
}

function plotPanels(cells: CellSummary[], models: string[], x: 'ee' | 'wall'): Panel[] {
  return models.map((m) => {
    const series: Series[] = cells
      .filter((s) => s.model === m && s.meanCurve.length > 0)
      .map((s) => ({
        name: s.label,
        points: s.meanCurve.map((p) => ({ x: x === 'ee' ? p.effectiveEpochs : p.wallMs / 60000, y: p.mean })),
      }));
    return {
      title: MODEL_HEADINGS[m] ?? m,
      xLabel: x === 'ee' ? 'effective epochs' : 'wall-clock (minutes)',
      yLabel: 'validation error (%)',
      logY: true,
      series: series.length ? series : [{ name: 'no runs yet', points: [] }],
    };
  });
}

/** Writes results.json, table.md and the plots; returns their paths. */
export async function writeReport(ctx: ReportContext): Promise<ReportFiles> {
  const cells = summarize(ctx);
  const models = [...new Set(ctx.cells.map((c) => c.model))];
  const runs = ctx.cells.map((c) => ctx.runs.get(c.key)).filter((r): r is RunRecord => r !== undefined);
  const results = join(ctx.out, 'results.json');
  writeJsonAtomic(results, {
    schema: RESULTS_SCHEMA,
    generatedAt: new Date().toISOString(),
    table: ctx.table,
    settings: ctx.settings,
    planned: ctx.cells.length,
    finished: runs.length,
    missing: ctx.cells.filter((c) => !ctx.runs.has(c.key)).map((c) => c.key),
    failed: ctx.failed,
    cells,
    runs,
  });
  const md = ctx.table === 'dist' ? distMarkdown(ctx, cells) : table1Markdown(ctx, cells);
  const missing = ctx.cells.length - runs.length;
  const footer = [
    '',
    '## Run',
    '',
    `- ${runs.length}/${ctx.cells.length} runs finished${missing ? ` (${missing} missing: the table is partial)` : ''}; generated ${new Date().toISOString()}`,
    `- engines: ${[...new Set(runs.map((r) => `${r.engine.description}, ${r.engine.threads} thread(s)`))].join('; ') || '—'}`,
    `- total training wall-clock of the stored runs: ${(runs.reduce((s, r) => s + r.wallMs, 0) / 3.6e6).toFixed(2)} h`,
    ...settingsLines(ctx),
    '',
  ];
  const table = join(ctx.out, 'table.md');
  writeFileSync(table, md + '\n' + footer.join('\n'));
  const title = ctx.table === 'dist' ? 'validation error: distributed vs single-process' : 'validation error (seed mean)';
  const plots = [
    ...(await writeChart(join(ctx.out, 'curves-effective-epochs.svg'), plotPanels(cells, models, 'ee'), { title: `${title} vs effective epochs` })),
    ...(await writeChart(join(ctx.out, 'curves-wallclock.svg'), plotPanels(cells, models, 'wall'), { title: `${title} vs wall-clock` })),
  ];
  return { results, table, plots };
}
