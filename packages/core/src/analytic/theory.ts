// Closed forms and one-dimensional quadrature for the theory of ALGORITHMS.md §1 and the test
// properties of §4. Everything here is plain double-precision maths (no Engine), so the algorithms
// can be checked against numbers computed independently of them.
//
// Conventions: gammaDr is the DR "scope" (a variance/time); the coupling used by the algorithms is
// g = 1/gammaDr (§1.1). beta is the inverse temperature.

/** Solves M z = b by Gaussian elimination with partial pivoting (small dense systems). */
export function solveLinear(M: ArrayLike<number>[], b: ArrayLike<number>): Float64Array {
  const n = b.length;
  if (M.length !== n) throw new RangeError('solveLinear: dimension mismatch');
  const a = M.map((r) => Float64Array.from(r));
  const z = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (a[p][c] === 0) throw new RangeError('solveLinear: singular matrix');
    [a[c], a[p]] = [a[p], a[c]];
    [z[c], z[p]] = [z[p], z[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) a[r][k] -= f * a[c][k];
      z[r] -= f * z[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = z[r];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * z[k];
    z[r] = s / a[r][r];
  }
  return z;
}

function matVec(A: ArrayLike<number>[], x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i][j] * x[j];
    out[i] = s;
  }
  return out;
}

/** prox_{t f}(x) = (I + tA)^(-1) x for f = 1/2 y^T A y (also <y> of the local-entropy Gibbs measure). */
export function proxQuadratic(A: ArrayLike<number>[], x: ArrayLike<number>, t: number): Float64Array {
  const n = x.length;
  const M = A.map((row, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) + t * row[j]));
  return solveLinear(M, x);
}

/** grad f_gamma(x) = A (I + gamma A)^(-1) x: local entropy = Moreau envelope gradient on quadratics. */
export function localEntropyGradQuadratic(
  A: ArrayLike<number>[],
  x: ArrayLike<number>,
  gammaDr: number,
): Float64Array {
  return matVec(A, proxQuadratic(A, x, gammaDr));
}

/**
 * μ_L of the deterministic ESGD inner loop (full gradient, ε = 0, no inner momentum) on f = a y²/2,
 * §4 T3: μ_L = y* + e0 [α^L + (1-α) r (r^L - α^L)/(r - α)], r = 1 - η'(a+g), y* = g x/(a+g).
 * `alpha` is the weight on the old average (code beta1).
 */
export function esgdDeterministicMu(
  L: number,
  a: number,
  g: number,
  x: number,
  innerLr: number,
  alpha: number,
): number {
  const r = 1 - innerLr * (a + g);
  const ystar = (g * x) / (a + g);
  const e0 = x - ystar;
  const geo = r === alpha ? L * Math.pow(r, L) : (r * (Math.pow(r, L) - Math.pow(alpha, L))) / (r - alpha);
  return ystar + e0 * (Math.pow(alpha, L) + (1 - alpha) * geo);
}

/** Stationary variance of y <- y - η'(a y + g(y - x)) + sqrt(2η'T) ζ: 2η'T / (1 - r²) (§4 T4). */
export function sgldStationaryVariance(a: number, g: number, innerLr: number, T: number): number {
  const r = 1 - innerLr * (a + g);
  return (2 * innerLr * T) / (1 - r * r);
}

/**
 * Per-step displacement noise std of the SGLD inner step for noise parameter ε:
 * 'code' (all reference codes): ε·sqrt(2η') (T = ε²); 'paper' (Algorithm 1): ε·sqrt(η') (T = ε²/2).
 */
export function sgldDisplacementStd(eps: number, innerLr: number, scaling: 'code' | 'paper' = 'code'): number {
  return scaling === 'code' ? eps * Math.sqrt(2 * innerLr) : eps * Math.sqrt(innerLr);
}

/** Temperature implied by the noise parameter ε (§2.2): T = ε² (code) or ε²/2 (paper). */
export function temperatureOfNoise(eps: number, scaling: 'code' | 'paper' = 'code'): number {
  return scaling === 'code' ? eps * eps : (eps * eps) / 2;
}

/** Error factor of the damped Hopf–Lax fixed-point iteration on curvature a (§2.3): β − (1−β)aτ. */
export function hjContractionFactor(a: number, tau: number, beta = 0.75): number {
  return beta - (1 - beta) * a * tau;
}

// ------------------------------------------------------------------------ 1-D quadrature

export interface QuadratureOptions {
  /** Integration range (default [-10, 10], as in §4). */
  lo?: number;
  hi?: number;
  /** Number of Simpson intervals (even; default 20000). */
  intervals?: number;
}

function simpsonNodes(o: QuadratureOptions): { ys: Float64Array; ws: Float64Array } {
  const lo = o.lo ?? -10;
  const hi = o.hi ?? 10;
  let n = o.intervals ?? 20000;
  if (n % 2 === 1) n++;
  const h = (hi - lo) / n;
  const ys = new Float64Array(n + 1);
  const ws = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    ys[i] = lo + i * h;
    ws[i] = ((i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3;
  }
  return { ys, ws };
}

/** Heat-equation solution v(x,t) = (G_t * f)(x) = E f(x + sqrt(t) Z), by quadrature. */
export function heatSmoothed1D(f: (y: number) => number, x: number, t: number, o: QuadratureOptions = {}): number {
  const { ys, ws } = simpsonNodes(o);
  let s = 0;
  for (let i = 0; i < ys.length; i++) {
    const d = x - ys[i];
    s += ws[i] * Math.exp(-(d * d) / (2 * t)) * f(ys[i]);
  }
  return s / Math.sqrt(2 * Math.PI * t);
}

/**
 * Local entropy f_γ(x) = −(1/β) log ∫ G_{γ/β}(x − y) exp(−β f(y)) dy (§1.2), by quadrature
 * (log-sum-exp for stability).
 */
export function localEntropy1D(
  f: (y: number) => number,
  x: number,
  gammaDr: number,
  beta = 1,
  o: QuadratureOptions = {},
): number {
  const { ys, ws } = simpsonNodes(o);
  const s = gammaDr / beta;
  const e = new Float64Array(ys.length);
  let m = -Infinity;
  for (let i = 0; i < ys.length; i++) {
    const d = x - ys[i];
    e[i] = -(d * d) / (2 * s) - beta * f(ys[i]);
    if (e[i] > m) m = e[i];
  }
  let acc = 0;
  for (let i = 0; i < ys.length; i++) acc += ws[i] * Math.exp(e[i] - m);
  const logIntegral = m + Math.log(acc) - 0.5 * Math.log(2 * Math.PI * s);
  return -logIntegral / beta;
}

/** ⟨y⟩ under ρ∞(y; x) ∝ exp(−β[f(y) + (x − y)²/(2γ)]), by quadrature. */
export function localEntropyMean1D(
  f: (y: number) => number,
  x: number,
  gammaDr: number,
  beta = 1,
  o: QuadratureOptions = {},
): number {
  const { ys, ws } = simpsonNodes(o);
  const e = new Float64Array(ys.length);
  let m = -Infinity;
  for (let i = 0; i < ys.length; i++) {
    const d = x - ys[i];
    e[i] = -beta * (f(ys[i]) + (d * d) / (2 * gammaDr));
    if (e[i] > m) m = e[i];
  }
  let z = 0;
  let s = 0;
  for (let i = 0; i < ys.length; i++) {
    const w = ws[i] * Math.exp(e[i] - m);
    z += w;
    s += w * ys[i];
  }
  return s / z;
}

/**
 * Moreau envelope / Hopf–Lax solution u(x,t) = min_y f(y) + (x − y)²/(2t) and its minimiser
 * prox_{tf}(x): a dense grid search on [lo, hi] refined by golden-section search.
 */
export function moreauEnvelope1D(
  f: (y: number) => number,
  x: number,
  t: number,
  o: QuadratureOptions = {},
): { value: number; prox: number } {
  const lo = o.lo ?? -10;
  const hi = o.hi ?? 10;
  const n = o.intervals ?? 20000;
  const h = (hi - lo) / n;
  const obj = (y: number) => f(y) + ((x - y) * (x - y)) / (2 * t);
  let best = 0;
  let bestV = Infinity;
  for (let i = 0; i <= n; i++) {
    const v = obj(lo + i * h);
    if (v < bestV) {
      bestV = v;
      best = i;
    }
  }
  let a = lo + Math.max(0, best - 1) * h;
  let b = lo + Math.min(n, best + 1) * h;
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = obj(c);
  let fd = obj(d);
  for (let k = 0; k < 200 && b - a > 1e-14 * Math.max(1, Math.abs(a)); k++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = obj(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = obj(d);
    }
  }
  const prox = (a + b) / 2;
  return { value: obj(prox), prox };
}
