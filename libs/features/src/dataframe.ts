import { epochDayToIso, type OrderFeatureTable, type TrainingTable } from '@nextbuy/contracts';
import type { DataFrame } from 'danfojs-node';

function isTrainingTable(table: OrderFeatureTable): table is TrainingTable {
  return 'gapDays' in table && 'censored' in table;
}

/**
 * A feature table as a danfojs DataFrame: `CustomerID`, `OrderDate` (YYYY-MM-DD), one column
 * per feature (NaN where missing) and, for a training table, `NextGapDays` and `censored`.
 * danfojs (and the TensorFlow.js it brings) is imported here only, on first call, so code that
 * never converts never loads it.
 */
export async function featureTableToDataFrame(table: OrderFeatureTable): Promise<DataFrame> {
  const { DataFrame } = await import('danfojs-node');
  const width = table.featureNames.length;
  const columns: Record<string, Array<string | number>> = {
    CustomerID: [...table.customerIds],
    OrderDate: Array.from(table.orderDay, epochDayToIso),
  };
  table.featureNames.forEach((name, f) => {
    columns[name] = Array.from({ length: table.nRows }, (_, row) => table.values[row * width + f]!);
  });
  if (isTrainingTable(table)) {
    columns['NextGapDays'] = Array.from(table.gapDays);
    columns['censored'] = Array.from(table.censored);
  }
  return new DataFrame(columns);
}
