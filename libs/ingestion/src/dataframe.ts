import { CLEANING_RULES, epochDayToIso, type DataQualityReport, type OrderTable } from '@nextbuy/contracts';
import type { DataFrame } from 'danfojs-node';

// danfojs-node loads TensorFlow.js: imported on first conversion, so that code which never
// converts (the readers, the Lambdas) never loads it.
async function dataFrameClass(): Promise<typeof DataFrame> {
  return (await import('danfojs-node')).DataFrame;
}

/** Orders as a DataFrame: CustomerID, OrderDate (YYYY-MM-DD), TotalPrice, Quantity, Lines, Invoices. */
export async function ordersToDataFrame(orders: OrderTable): Promise<DataFrame> {
  const Frame = await dataFrameClass();
  return new Frame({
    CustomerID: [...orders.customerIds],
    OrderDate: Array.from(orders.day, epochDayToIso),
    TotalPrice: Array.from(orders.totalPrice),
    Quantity: Array.from(orders.quantity),
    Lines: Array.from(orders.lines),
    Invoices: Array.from(orders.invoices),
  });
}

/**
 * Where the rows of a source went, one row per outcome (`kept`, then each cleaning rule): the
 * rows, their share of the rows read, and the first offending line numbers (space separated).
 */
export async function reportToDataFrame(report: DataQualityReport): Promise<DataFrame> {
  const Frame = await dataFrameClass();
  const outcomes = ['kept', ...CLEANING_RULES] as const;
  const rows = outcomes.map((outcome) => (outcome === 'kept' ? report.rowsKept : report.dropped[outcome].count));
  return new Frame({
    outcome: [...outcomes],
    rows,
    share: rows.map((count) => (report.rowsRead > 0 ? count / report.rowsRead : 0)),
    firstLines: outcomes.map((outcome) => (outcome === 'kept' ? '' : report.dropped[outcome].firstLines.join(' '))),
  });
}
