import { customerBaseQuantities } from '@nextbuy/btyd-model';
import { epochDayToIso, isoToEpochDay, type Manifest, NextBuyError, type NextPurchaseModel, type PredictionRecord } from '@nextbuy/contracts';
import type { ScoringRequest } from './input/scoring-request';

/** The model gave something that is not a prediction (NaN): a server fault, never the client's. */
export class PredictionError extends NextBuyError {}

// The last day a YYYY-MM-DD date can name. A log-normal's conditional median can exceed it for
// a customer who, to the model, never returns; the date is capped there rather than unwritable.
const LAST_WRITABLE_DAY = isoToEpochDay('9999-12-31');

/** Rounds to a step that keeps records short and is far below what the model can resolve. */
function rounded(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** One customer's response record from the model's gap distribution (evaluation.md "What a model predicts"). */
export function predictionRecord(
  customerId: string,
  lastOrderDay: number,
  asOfDay: number,
  predictedGapDays: number,
  pOrder90d: number,
  modelVersion: string,
  customerBase: { pAlive: number; expectedOrders365d: number } | null = null,
): PredictionRecord {
  if (Number.isNaN(predictedGapDays) || Number.isNaN(pOrder90d)) {
    throw new PredictionError(`the model predicted NaN for customer "${customerId}"`);
  }
  if (customerBase && !(Number.isFinite(customerBase.pAlive) && Number.isFinite(customerBase.expectedOrders365d))) {
    throw new PredictionError(`the artifact's BG/NBD fit gave a non-finite P(alive) or expected orders for customer "${customerId}"`);
  }
  const gap = Math.min(predictedGapDays, LAST_WRITABLE_DAY - lastOrderDay);
  return {
    customer_id: customerId,
    last_order_date: epochDayToIso(lastOrderDay),
    as_of_date: epochDayToIso(asOfDay),
    predicted_gap_days: rounded(gap, 2),
    // The gap is at least the elapsed days, so the date is never before the as-of date.
    predicted_next_order_date: epochDayToIso(lastOrderDay + Math.round(gap)),
    p_order_90d: rounded(pOrder90d, 4),
    p_alive: customerBase && rounded(customerBase.pAlive, 4),
    expected_orders_365d: customerBase && rounded(customerBase.expectedOrders365d, 3),
    model_version: modelVersion,
  };
}

/**
 * predict_fn: the response records of a parsed request, in request order. `p_alive` and
 * `expected_orders_365d` come from the manifest's BG/NBD fit whatever the model type; null from
 * an artifact that has none.
 */
export async function predictCustomers(model: NextPurchaseModel, request: ScoringRequest, manifest: Pick<Manifest, 'modelVersion' | 'customerBase'>): Promise<PredictionRecord[]> {
  const records = new Array<PredictionRecord>(request.customers);
  for (const { table, customerIds, positions } of request.batches) {
    const prediction = await model.predict(table);
    const base = manifest.customerBase && customerBaseQuantities(manifest.customerBase.params, table);
    for (let i = 0; i < table.lastRow.length; i++) {
      const lastOrderDay = table.orderDay[table.lastRow[i]!]!;
      const quantities = base ? { pAlive: base.pAlive[i]!, expectedOrders365d: base.expectedOrders365d[i]! } : null;
      records[positions[i]!] = predictionRecord(customerIds[i]!, lastOrderDay, table.asOfDay, prediction.predictedGapDays[i]!, prediction.pOrder90d[i]!, manifest.modelVersion, quantities);
    }
  }
  return records;
}
