// Scoping: the coupling schedule g_t (ALGORITHMS.md §1.1, §1.5, §2.2, §2.7).
//
// Convention (the code/Entropy-SGD one, stored everywhere in deeprelax): g is the COUPLING strength
// between x and the auxiliary variable y; scoping INCREASES g. The DR "scope" γ_DR = 1/g is a
// variance/time and DECREASES. Convert explicitly with gammaDrOfCoupling / couplingOfGammaDr.

export interface ScopingSchedule {
  /** Coupling g at counter t (t = outer steps for ESGD/HJ/HEAT, rounds for Parle). */
  couplingAt(t: number): number;
  readonly spec: ScopingSpec;
}

export type ScopingSpec =
  /** g_t = g0 (1 + g1)^t ([ESGD-LUA] entropyoptim.lua, [DR-CODE] optim.py). */
  | { kind: 'exponential'; g0: number; g1: number }
  /** g_t = min(g0 (1 + rate)^t, cap) ([PARLE-CODE] parle_mpi.py: rate = 0.5/nb, caps 1 and 10). */
  | { kind: 'capped'; g0: number; rate: number; cap: number }
  /**
   * Variance form γ_t = gamma0 (1 − decay)^t, coupling g_t = 1/γ_t (Parle README:
   * γ = ρ = 100·(1 − 1/(2 nb))^(k/L)).
   */
  | { kind: 'variance'; gamma0: number; decay: number }
  | { kind: 'constant'; g: number };

/** γ_DR = 1/g. */
export function gammaDrOfCoupling(g: number): number {
  return 1 / g;
}

/** g = 1/γ_DR. */
export function couplingOfGammaDr(gammaDr: number): number {
  return 1 / gammaDr;
}

function finiteNonNeg(x: number, what: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${x}`);
}

function checkT(t: number): void {
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`scoping counter must be >= 0, got ${t}`);
}

export function exponentialScoping(g0: number, g1: number): ScopingSchedule {
  return makeScoping({ kind: 'exponential', g0, g1 });
}

/** Parle's coupling schedule: min(g0 (1 + 0.5/nb)^t, cap), t counted in rounds. */
export function parleScoping(g0: number, batchesPerEpoch: number, cap: number): ScopingSchedule {
  return makeScoping({ kind: 'capped', g0, rate: 0.5 / batchesPerEpoch, cap });
}

export function makeScoping(spec: ScopingSpec): ScopingSchedule {
  switch (spec?.kind) {
    case 'exponential': {
      finiteNonNeg(spec.g0, 'scoping g0');
      if (typeof spec.g1 !== 'number' || !Number.isFinite(spec.g1) || spec.g1 <= -1) {
        throw new RangeError(`scoping g1 must be a finite number > -1, got ${spec.g1}`);
      }
      const s = { kind: 'exponential' as const, g0: spec.g0, g1: spec.g1 };
      return {
        spec: s,
        couplingAt(t) {
          checkT(t);
          return s.g0 * Math.pow(1 + s.g1, t);
        },
      };
    }
    case 'capped': {
      finiteNonNeg(spec.g0, 'scoping g0');
      finiteNonNeg(spec.rate, 'scoping rate');
      if (!(spec.cap > 0)) throw new RangeError('scoping cap must be > 0');
      const s = { kind: 'capped' as const, g0: spec.g0, rate: spec.rate, cap: spec.cap };
      return {
        spec: s,
        couplingAt(t) {
          checkT(t);
          return Math.min(s.g0 * Math.pow(1 + s.rate, t), s.cap);
        },
      };
    }
    case 'variance': {
      if (!(spec.gamma0 > 0) || !Number.isFinite(spec.gamma0)) throw new RangeError('scoping gamma0 must be > 0');
      if (!(spec.decay >= 0 && spec.decay < 1)) throw new RangeError('scoping decay must be in [0, 1)');
      const s = { kind: 'variance' as const, gamma0: spec.gamma0, decay: spec.decay };
      return {
        spec: s,
        couplingAt(t) {
          checkT(t);
          return 1 / (s.gamma0 * Math.pow(1 - s.decay, t));
        },
      };
    }
    case 'constant': {
      finiteNonNeg(spec.g, 'coupling g');
      const s = { kind: 'constant' as const, g: spec.g };
      return {
        spec: s,
        couplingAt(t) {
          checkT(t);
          return s.g;
        },
      };
    }
    default:
      throw new RangeError(`unknown scoping kind ${String((spec as { kind?: unknown })?.kind)}`);
  }
}
