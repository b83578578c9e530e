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
  if (A >= B) {
    const z = (A - B) / (A + y);
    return -p * Math.log(A + y) + (1 - q) * Math.log(B + y) + Math.log(hyp2f1(p, 1, p + q, z)) - Math.log(n);
  }
  const z = (B - A) / (B + y);
  return -q * Math.log(B + y) + (1 - p) * Math.log(A + y) + Math.log(hyp2f1(q, 1, p + q, z)) - Math.log(n);
}
