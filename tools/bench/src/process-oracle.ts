// The oracle of bench:quality --oracle: for a scenario of the zoo drawn from a process with a
// closed-form answer (BG/NBD, Pareto/NBD, BG/CNBD-k without seasonality), that process with the
// parameters it was drawn with, scored by the backtest as a model is. No model can know a base
// better: in expectation it predicts every customer best on the quantities the protocol asks for
// (the 90-day probability, the median wait among those who return within the horizon), so where it
// loses a column to a fitted baseline, that column does not reward the best answer to its question.
import { BtydGapModel } from '@nextbuy/btyd-model';
import { resolveCustomerBase, type Scenario } from '@nextbuy/datagen';
import type { BacktestModel } from '@nextbuy/features';

/** A scenario's oracle, or why it has none. */
export type ProcessOracle = { model: BacktestModel; process: string } | { why: string };

/** The generating process of `scenario` as a BacktestModel that fits nothing; or why there is none. */
export function processOracle(scenario: Scenario): ProcessOracle {
  if (scenario.kind !== 'customer-base') return { why: 'the Online Retail-like generator (guests, cancellations, wholesale outliers) has no closed-form answer' };
  const base = resolveCustomerBase(scenario.settings);
  if (base.seasonality.amplitude > 0) return { why: `a seasonal rate (amplitude ${base.seasonality.amplitude}) has no closed-form answer in these models` };
  const { r, alpha } = base.frequency;
  let model: BtydGapModel;
  let process: string;
  if (base.process === 'bgnbd') {
    const { a, b } = base.dropout!;
    // BG/CNBD-k's lambda is the generator's: gaps Erlang-k of mean 1 / lambda (libs/btyd-model/src/bgcnbd.ts).
    const k = base.regularity;
    model = k > 1 ? BtydGapModel.withParams('bgcnbd', { r, alpha, a, b, k }) : BtydGapModel.withParams('bgnbd', { r, alpha, a, b });
    process = k > 1 ? `BG/CNBD-${k} r=${r} alpha=${alpha} a=${a} b=${b}` : `BG/NBD r=${r} alpha=${alpha} a=${a} b=${b}`;
  } else {
    const { s, beta } = base.lifetime!;
    model = BtydGapModel.withParams('pareto_nbd', { r, alpha, s, beta });
    process = `Pareto/NBD r=${r} alpha=${alpha} s=${s} beta=${beta}`;
  }
  return {
    process,
    model: {
      async fitPredict(_train, score, { maeHorizonDays }) {
        const prediction = await model.predict(score);
        const { predictedGapDays } = await model.predict(score, { returnHorizonDays: maeHorizonDays });
        return { prediction, maeGapDays: predictedGapDays };
      },
    },
  };
}
