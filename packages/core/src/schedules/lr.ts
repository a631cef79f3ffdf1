// Learning-rate schedules, indexed by 1-based epoch (ALGORITHMS.md §2.1, §2.2 tables).
// A schedule is data (LrScheduleSpec, JSON-serialisable for job specs) turned into a function
// by makeLrSchedule().

export interface LearningRateSchedule {
  /** Learning rate for a 1-based epoch. */
  lrAt(epoch: number): number;
  readonly spec: LrScheduleSpec;
}

export type LrScheduleSpec =
  | { kind: 'constant'; lr: number }
  /**
   * Rows [lastEpoch, lr], sorted by lastEpoch: epoch e gets the lr of the first row with e <= lastEpoch;
   * after the last row the last lr is kept. "1–30: 0.1; 30–60: 0.02" is [[30, 0.1], [60, 0.02]]
   * ([ESGD-LUA] train.lua, first matching row wins; [DR-CODE] --lrs '[[epoch_end, lr], ...]').
   */
  | { kind: 'piecewise'; rows: [number, number][] }
  /** lr0 · factor^floor((epoch − 1) / every): e.g. lr 0.1, ÷5 every 60 epochs. */
  | { kind: 'step'; lr0: number; factor: number; every: number };

function checkLr(lr: number, what: string): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new RangeError(`${what}: learning rate must be a finite number >= 0, got ${lr}`);
  }
}

function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 1) throw new RangeError(`epoch must be an integer >= 1, got ${epoch}`);
}

export function constantLr(lr: number): LearningRateSchedule {
  return makeLrSchedule({ kind: 'constant', lr });
}

export function piecewiseLr(rows: [number, number][]): LearningRateSchedule {
  return makeLrSchedule({ kind: 'piecewise', rows });
}

export function stepDecayLr(lr0: number, factor: number, every: number): LearningRateSchedule {
  return makeLrSchedule({ kind: 'step', lr0, factor, every });
}

/** Validates a schedule spec and returns the schedule. Throws RangeError on malformed specs. */
export function makeLrSchedule(spec: LrScheduleSpec): LearningRateSchedule {
  switch (spec?.kind) {
    case 'constant': {
      checkLr(spec.lr, 'constant schedule');
      const s = { kind: 'constant' as const, lr: spec.lr };
      return {
        spec: s,
        lrAt(epoch) {
          checkEpoch(epoch);
          return s.lr;
        },
      };
    }
    case 'piecewise': {
      if (!Array.isArray(spec.rows) || spec.rows.length === 0) {
        throw new RangeError('piecewise schedule: rows must be a non-empty array of [lastEpoch, lr]');
      }
      const rows = spec.rows.map((r, i) => {
        if (!Array.isArray(r) || r.length !== 2) throw new RangeError(`piecewise schedule: row ${i} must be [lastEpoch, lr]`);
        const [e, lr] = r;
        if (!Number.isInteger(e) || e < 1) throw new RangeError(`piecewise schedule: row ${i} lastEpoch must be an integer >= 1`);
        checkLr(lr, `piecewise schedule row ${i}`);
        if (i > 0 && e <= spec.rows[i - 1][0]) {
          throw new RangeError('piecewise schedule: lastEpoch must increase strictly from row to row');
        }
        return [e, lr] as [number, number];
      });
      return {
        spec: { kind: 'piecewise', rows },
        lrAt(epoch) {
          checkEpoch(epoch);
          for (const [e, lr] of rows) if (epoch <= e) return lr;
          return rows[rows.length - 1][1];
        },
      };
    }
    case 'step': {
      checkLr(spec.lr0, 'step schedule');
      if (!(spec.factor > 0) || !Number.isFinite(spec.factor)) throw new RangeError('step schedule: factor must be > 0');
      if (!Number.isInteger(spec.every) || spec.every < 1) throw new RangeError('step schedule: every must be an integer >= 1');
      const s = { kind: 'step' as const, lr0: spec.lr0, factor: spec.factor, every: spec.every };
      return {
        spec: s,
        lrAt(epoch) {
          checkEpoch(epoch);
          return s.lr0 * Math.pow(s.factor, Math.floor((epoch - 1) / s.every));
        },
      };
    }
    default:
      throw new RangeError(`unknown learning-rate schedule kind ${String((spec as { kind?: unknown })?.kind)}`);
  }
}
