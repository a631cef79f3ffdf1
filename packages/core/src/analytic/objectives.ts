// Closed-form objectives for the analytic engine: f and its exact gradient, evaluated in Float64.
// All of them are deterministic; the analytic engine adds optional seeded gradient noise on top.
import { firstNonFinite } from '../finite.js';

/** A differentiable objective on R^dim with an exact gradient. */
export interface Objective {
  readonly name: string;
  readonly dim: number;
  /** f(y). */
  value(y: Float64Array): number;
  /** out <- grad f(y); out and y never alias. */
  gradient(y: Float64Array, out: Float64Array): void;
}

function checkDim(dim: number, what: string): number {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`${what}: dim must be a positive integer, got ${dim}`);
  return dim;
}

function toF64(a: ArrayLike<number>, n: number, what: string): Float64Array {
  if (a.length !== n) throw new RangeError(`${what}: expected ${n} values, got ${a.length}`);
  const out = Float64Array.from(a as ArrayLike<number>);
  const bad = firstNonFinite(out);
  if (bad >= 0) throw new RangeError(`${what}: value ${bad} is not finite`);
  return out;
}

export interface QuadraticOptions {
  /** Diagonal of A (separable quadratic f = sum_i a_i (y_i - c_i)^2 / 2). */
  diag?: ArrayLike<number>;
  /** Dense symmetric A, row-major (dim x dim), or an array of rows. */
  matrix?: ArrayLike<number> | ArrayLike<number>[];
  /** Minimiser c (default 0): f(y) = (y - c)^T A (y - c) / 2. */
  center?: ArrayLike<number>;
  name?: string;
}

/**
 * f(y) = 1/2 (y - c)^T A (y - c), with A given as a diagonal or as a small dense symmetric matrix.
 * Gradient A (y - c).
 */
export function quadraticObjective(opts: QuadraticOptions): Objective {
  if ((opts.diag === undefined) === (opts.matrix === undefined)) {
    throw new RangeError('quadraticObjective: give exactly one of diag or matrix');
  }
  if (opts.diag !== undefined) {
    const n = checkDim(opts.diag.length, 'quadraticObjective');
    const a = toF64(opts.diag, n, 'quadraticObjective diag');
    const c = opts.center ? toF64(opts.center, n, 'quadraticObjective center') : new Float64Array(n);
    return {
      name: opts.name ?? `quadratic-diag(${n})`,
      dim: n,
      value(y) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const d = y[i] - c[i];
          s += a[i] * d * d;
        }
        return 0.5 * s;
      },
      gradient(y, out) {
        for (let i = 0; i < n; i++) out[i] = a[i] * (y[i] - c[i]);
      },
    };
  }
  const m = opts.matrix!;
  let flat: Float64Array;
  let n: number;
  if (m.length > 0 && typeof (m as ArrayLike<unknown>)[0] === 'object') {
    const rows = m as ArrayLike<number>[];
    n = checkDim(rows.length, 'quadraticObjective');
    flat = new Float64Array(n * n);
    for (let i = 0; i < n; i++) flat.set(toF64(rows[i], n, `quadraticObjective row ${i}`), i * n);
  } else {
    n = Math.round(Math.sqrt(m.length));
    if (n * n !== m.length) throw new RangeError('quadraticObjective: flat matrix length must be a square');
    checkDim(n, 'quadraticObjective');
    flat = toF64(m as ArrayLike<number>, n * n, 'quadraticObjective matrix');
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = flat[i * n + j];
      const y = flat[j * n + i];
      if (Math.abs(x - y) > 1e-12 * Math.max(1, Math.abs(x), Math.abs(y))) {
        throw new RangeError(`quadraticObjective: matrix must be symmetric (entry ${i},${j})`);
      }
    }
  }
  const c = opts.center ? toF64(opts.center, n, 'quadraticObjective center') : new Float64Array(n);
  const d = new Float64Array(n);
  return {
    name: opts.name ?? `quadratic-dense(${n})`,
    dim: n,
    value(y) {
      for (let i = 0; i < n; i++) d[i] = y[i] - c[i];
      let s = 0;
      for (let i = 0; i < n; i++) {
        let r = 0;
        for (let j = 0; j < n; j++) r += flat[i * n + j] * d[j];
        s += d[i] * r;
      }
      return 0.5 * s;
    },
    gradient(y, out) {
      for (let i = 0; i < n; i++) d[i] = y[i] - c[i];
      for (let i = 0; i < n; i++) {
        let r = 0;
        for (let j = 0; j < n; j++) r += flat[i * n + j] * d[j];
        out[i] = r;
      }
    },
  };
}

/**
 * Separable objective f(y) = sum_i phi(y_i) from a scalar function and its derivative.
 */
export function separableObjective(
  dim: number,
  phi: (t: number) => number,
  dphi: (t: number) => number,
  name = 'separable',
): Objective {
  const n = checkDim(dim, 'separableObjective');
  return {
    name: `${name}(${n})`,
    dim: n,
    value(y) {
      let s = 0;
      for (let i = 0; i < n; i++) s += phi(y[i]);
      return s;
    },
    gradient(y, out) {
      for (let i = 0; i < n; i++) out[i] = dphi(y[i]);
    },
  };
}

/** f(y) = scale * sum_i y_i^4 / 4; gradient scale * y^3. */
export function quarticObjective(dim: number, scale = 1): Objective {
  return separableObjective(
    dim,
    (t) => (scale * t * t * t * t) / 4,
    (t) => scale * t * t * t,
    'quartic',
  );
}

/** Double well f(y) = sum_i (y_i^4/4 - y_i^2/2): non-convex, minima at +-1, f'' = 3y^2 - 1 >= -1. */
export function doubleWellObjective(dim: number): Objective {
  return separableObjective(
    dim,
    (t) => (t * t * t * t) / 4 - (t * t) / 2,
    (t) => t * t * t - t,
    'double-well',
  );
}

/** A user-supplied objective (f and its exact gradient). */
export function genericObjective(
  dim: number,
  value: (y: Float64Array) => number,
  gradient: (y: Float64Array, out: Float64Array) => void,
  name = 'generic',
): Objective {
  return { name: `${name}(${checkDim(dim, 'genericObjective')})`, dim, value, gradient };
}
