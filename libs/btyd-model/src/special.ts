import hyp2f1Cephes from '@stdlib/math-base-special-hyp2f1';

/** Past this z the power series needs thousands of terms. */
const SERIES_LIMIT = 0.9;
const MAX_TERMS = 2000;

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1 and c > 0.
 *
 * Written here for z <= 0.9, where the power series converges at rate z at least: the BTYD
 * formulas call it with a or b small (Euler's transformation is applied by the callers), so a
 * few to a few hundred terms reach full precision in 20-100 ns, where stdlib's general Cephes
 * port takes 500-1000 ns a call; scoring a million customers a second needs the fast path.
 * Above 0.9, or if the series has not converged, stdlib's implementation answers.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (z === 0) return 1;
  if (b === 1 && z > SERIES_LIMIT) return hyp2f1UnitB(a, c, z);
  if (z > SERIES_LIMIT) return hyp2f1Cephes(a, b, c, z);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < MAX_TERMS; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    if (Math.abs(term) <= 1e-16 * Math.abs(sum)) return sum;
  }
  return hyp2f1Cephes(a, b, c, z);
}

/**
 * 2F1(a, 1; c; z) for z near 1, the form both Pareto/NBD integrals take, by Gauss's continued
 * fraction for F(1, a; c; z) / F(0, a; c - 1; z), evaluated with the modified Lentz method. It
 * converges where the series crawls; stdlib's Cephes port takes 25-95 us a call there (measured),
 * the fraction a few hundred steps at worst in the fits' corners.
 */
export function hyp2f1UnitB(a: number, c: number, z: number): number {
  const g = c - 1;
  const tiny = 1e-300;
  let f = 1;
  let C = 1;
  let D = 0;
  for (let j = 1; j <= 4 * MAX_TERMS; j++) {
    const m = (j + 1) >> 1;
    const k = j % 2 === 1 ? -((g + m - 1) * (a + m - 1)) / ((g + 2 * m - 2) * (g + 2 * m - 1)) : ((a - g - m) * m) / ((g + 2 * m - 1) * (g + 2 * m));
    const step = k * z;
    D = 1 + step * D;
    D = 1 / (Math.abs(D) < tiny ? tiny : D);
    C = 1 + step / C;
    if (Math.abs(C) < tiny) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) return 1 / f;
  }
  return hyp2f1Cephes(a, 1, c, z);
}

/** log(exp(x) + exp(y)) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}

/** log(exp(x) - exp(y)) for y <= x; -Infinity when they are equal. */
export function logSubExp(x: number, y: number): number {
  if (y === -Infinity) return x;
  return x + Math.log1p(-Math.exp(Math.min(0, y - x)));
}

/**
 * log of the tail integral  ∫_y^∞ (A + u)^-p (B + u)^-q du  for A, B > 0, p > 0, q >= 0, p + q > 1.
 *
 * Both Pareto/NBD integrals (the likelihood's dropout term, and the chance of an order within w
 * days for a customer still alive) are differences of two such tails. Expanding the smaller
 * factor around the larger one gives (Euler's transformation of the usual 2F1 form, so the series
 * has positive terms with ratio below z):
 *   A >= B:  (A+y)^-p (B+y)^(1-q) 2F1(p, 1; p+q; z) / (p+q-1),  z = (A-B)/(A+y)
 *   A <  B:  (B+y)^-q (A+y)^(1-p) 2F1(q, 1; p+q; z) / (p+q-1),  z = (B-A)/(B+y)
 */
export function logTailIntegral(p: number, q: number, A: number, B: number, y: number): number {
  const n = p + q - 1;
  let value: number;
  if (A >= B) {
    const z = (A - B) / (A + y);
    value = -p * Math.log(A + y) + (1 - q) * Math.log(B + y) + Math.log(hyp2f1(p, 1, p + q, z)) - Math.log(n);
  } else {
    const z = (B - A) / (B + y);
    value = -q * Math.log(B + y) + (1 - p) * Math.log(A + y) + Math.log(hyp2f1(q, 1, p + q, z)) - Math.log(n);
  }
  return Number.isFinite(value) ? value : logTailQuadrature(p, q, A, B, y);
}

// 16-point Gauss-Legendre nodes and weights on [-1, 1] (positive half; symmetric).
const GL_NODES = [0.0950125098376374, 0.2816035507792589, 0.4580167776572274, 0.6178762444026438, 0.755404408355003, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499];
const GL_WEIGHTS = [0.1894506104550685, 0.1826034150449236, 0.1691565193950025, 0.1495959888165767, 0.1246289712555339, 0.0951585116824928, 0.0622535239386479, 0.0271524594117541];

/**
 * The same tail integral by quadrature, for the corners where the hypergeometric form loses its
 * digits (a shape of hundreds with z within 1e-6 of 1: degenerate fits). With w = (A+y)/(A+u) and
 * w = e^-t it is (A+y)^-n ∫_0^∞ e^(-n t) (1 + κ e^-t)^-q dt, κ = (B-A)/(A+y): smooth in t, with its
 * bend near t = log κ; summed in log space over panels of 16-point Gauss-Legendre up to where the
 * integrand has fallen by e^-50 past the bend.
 */
export function logTailQuadrature(p: number, q: number, A: number, B: number, y: number): number {
  const n = p + q - 1;
  const kappa = (B - A) / (A + y);
  const logIntegrand = (t: number) => -n * t - q * Math.log1p(kappa * Math.exp(-t));
  const bend = kappa > 1 ? Math.log(kappa) : 0;
  // Past the bend the integrand falls at rate n; before it at rate p - 1 (or rises, for p < 1).
  const end = bend + Math.log1p(Math.max(q, 1)) + 50 / n;
  const panels = 64;
  let total = -Infinity;
  for (let k = 0; k < panels; k++) {
    const a = (end * k) / panels;
    const half = end / panels / 2;
    const mid = a + half;
    for (let i = 0; i < GL_NODES.length; i++) {
      const w = Math.log(GL_WEIGHTS[i]! * half);
      total = logAddExp(total, w + logIntegrand(mid - half * GL_NODES[i]!));
      total = logAddExp(total, w + logIntegrand(mid + half * GL_NODES[i]!));
    }
  }
  return -n * Math.log(A + y) + total;
}
