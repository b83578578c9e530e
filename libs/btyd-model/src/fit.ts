import { InputDataError } from '@nextbuy/contracts';
import { bfgs, nelderMead } from './optimize';
import { type PreparedSummaries, prepareSummaries } from './prepared';
import { checkSummaries, compressSummaries, type CustomerSummaries } from './summary';

/** A maximum-likelihood fit: the parameters (time in days) and what the fit saw. */
export interface BtydFit<P> {
  params: P;
  /** Summed log-likelihood at the parameters, time in days. */
  logLikelihood: number;
  customers: number;
  evaluations: number;
}

/**
 * Parameters are searched in log space within e^±10 (4.5e-5 to 22,026, time in units of a tenth
 * of the longest observation), as R's BTYD bounds them at 10,000: degenerate data (a shape and its
 * scale running off together, the homogeneous limit) still gives finite numbers, in bounded time.
 */
const LOG_BOUND = 10;

export interface LikelihoodSpec<P> {
  name: string;
  /** Parameter names in optimiser order. */
  names: readonly (keyof P & string)[];
  /** Which parameters carry the time unit (scaled with it). */
  timeScaled: readonly (keyof P & string)[];
  logLikelihood(params: P, s: CustomerSummaries | PreparedSummaries): number;
}

function scaled(s: CustomerSummaries, c: number): CustomerSummaries {
  return { x: s.x, tx: s.tx.map((v) => v / c), T: s.T.map((v) => v / c), weight: s.weight };
}

/**
 * Maximum likelihood over compressed summaries, in a time unit where the longest observation is
 * 10 (the unit does not change the optimum, it only starts every search near it, as lifetimes
 * does), from the given starting point (all ones by default), in log-parameters.
 */
export function fitByMaximumLikelihood<P extends Record<string, number>>(spec: LikelihoodSpec<P>, summaries: CustomerSummaries, start?: Partial<P>): BtydFit<P> {
  checkSummaries(summaries, `${spec.name} customer summaries`);
  const s = compressSummaries(summaries);
  let customers = 0;
  let repeat = false;
  let maxT = 0;
  for (let i = 0; i < s.x.length; i++) {
    customers += s.weight[i]!;
    repeat ||= s.x[i]! > 0;
    maxT = Math.max(maxT, s.T[i]!);
  }
  if (customers === 0) throw new InputDataError('no customers to fit', { source: spec.name });
  if (!repeat) throw new InputDataError(`no customer has a repeat order (on another day): ${spec.name} cannot tell how often customers buy`, { source: spec.name });
  const c = maxT > 0 ? maxT / 10 : 1;
  const unit = prepareSummaries(scaled(s, c));
  const toParams = (theta: readonly number[]): P =>
    Object.fromEntries(spec.names.map((name, i) => [name, Math.exp(theta[i]!)])) as P;
  const objective = (theta: readonly number[]): number => {
    if (theta.some((v) => Math.abs(v) > LOG_BOUND)) return Infinity;
    return -spec.logLikelihood(toParams(theta), unit);
  };
  const theta0 = spec.names.map((name) => {
    const given = start?.[name];
    return Math.log(given === undefined ? 1 : spec.timeScaled.includes(name) ? given / c : given);
  });
  // BFGS first (a few dozen gradients); Nelder-Mead, slower but needing no gradient, where BFGS stalls
  // (a corner of the bounds, a flat ridge of degenerate data) or from where it stopped, to confirm.
  const quasiNewton = bfgs(objective, theta0);
  const polished = quasiNewton.converged ? undefined : nelderMead(objective, quasiNewton.x, { step: 0.05 });
  const best = polished && polished.value < quasiNewton.value ? polished : quasiNewton;
  const evaluations = quasiNewton.evaluations + (polished?.evaluations ?? 0);
  const params = toParams(best.x);
  for (const name of spec.timeScaled) (params as Record<string, number>)[name] = params[name]! * c;
  return { params, logLikelihood: spec.logLikelihood(params, s), customers, evaluations };
}
