// One JSON file per finished run, `<out>/runs/<key>.json`, written atomically (temp file + rename),
// so a file that exists is a finished run and nothing else is. A run that was interrupted leaves no
// file (at most a stale temp file) and is run again from the start.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellSpec } from './plan.js';

export const RUN_SCHEMA = 'deeprelax.reproduce.run/1';

/** One evaluated (or not) epoch of a run: core's EpochRecord, JSON-friendly. */
export interface CurvePoint {
  epoch: number;
  effectiveEpochs: number;
  steps: number;
  gradCalls: number;
  trainLoss: number;
  trainError: number;
  /** Fraction in [0, 1]; null on epochs that were not evaluated. */
  valError: number | null;
  valLoss: number | null;
  lr: number;
  coupling: number | null;
  /** Wall-clock since training started (includes the evaluations), ms. */
  wallMs: number;
  /** BN refresh + evaluation time of this epoch, ms. */
  evalMs: number;
}

export interface RunRecord {
  schema: typeof RUN_SCHEMA;
  key: string;
  cell: CellSpec;
  /** 'completed', 'diverged' (non-finite loss or weights) or 'target' (stopped at --stop-at-target). */
  status: 'completed' | 'diverged' | 'target';
  reason: string | null;
  engine: { name: string; description: string; threads: number };
  host: { cpus: number; loadavgStart: number[]; loadavgEnd: number[]; node: string };
  startedAt: string;
  finishedAt: string;
  /** Dataset sizes actually used. */
  trainSamples: number;
  testSamples: number;
  /** Setup (engine, data, model) before training, ms. */
  setupMs: number;
  /** Training wall-clock including evaluations, ms. */
  wallMs: number;
  /** Time spent in BN refresh + evaluation, ms. */
  evalMs: number;
  gradCalls: number;
  /** Gradient-call samples per second of training time (evaluations excluded). */
  samplesPerSecond: number;
  curve: CurvePoint[];
}

export function runsDir(out: string): string {
  return join(out, 'runs');
}

export function runPath(out: string, key: string): string {
  return join(runsDir(out), `${key}.json`);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n');
  renameSync(tmp, path);
}

export function writeRun(out: string, run: RunRecord): string {
  mkdirSync(runsDir(out), { recursive: true });
  const path = runPath(out, run.key);
  writeJsonAtomic(path, run);
  return path;
}

/** The stored run of `key`, or null if there is none (a malformed file counts as none). */
export function readRun(out: string, key: string): RunRecord | null {
  let text: string;
  try {
    text = readFileSync(runPath(out, key), 'utf8');
  } catch {
    return null;
  }
  try {
    const r = JSON.parse(text) as RunRecord;
    return r.schema === RUN_SCHEMA && r.key === key && Array.isArray(r.curve) ? r : null;
  } catch {
    return null;
  }
}

/** Every stored run in the directory (for rates measured by earlier invocations). */
export function readAllRuns(out: string): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(runsDir(out));
  } catch {
    return [];
  }
  const runs: RunRecord[] = [];
  for (const n of names) {
    if (!n.endsWith('.json')) continue;
    const r = readRun(out, n.slice(0, -'.json'.length));
    if (r) runs.push(r);
  }
  return runs;
}

/** Removes temp files left by interrupted runs. */
export function removeStaleTemps(out: string): number {
  let names: string[];
  try {
    names = readdirSync(runsDir(out));
  } catch {
    return 0;
  }
  let k = 0;
  for (const n of names) {
    if (n.endsWith('.tmp')) {
      rmSync(join(runsDir(out), n), { force: true });
      k++;
    }
  }
  return k;
}
