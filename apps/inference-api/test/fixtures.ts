import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { customerHistoryLines, epochDayToIso, historiesToOrderTable, isoToEpochDay, type CustomerHistory } from '@nextbuy/contracts';
import { buildScoringTable, FEATURE_NAMES } from '@nextbuy/features';
import { ordersFromTransactions, parseInvoiceDate } from '@nextbuy/ingestion';
import type { Express } from 'express';

/** A server on a free loopback port, and how to stop it. */
export async function listen(app: Express): Promise<{ base: string; close: () => Promise<void> }> {
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An Online Retail transaction as a JSON request record. */
export interface RetailRecord {
  InvoiceNo: string;
  StockCode: string;
  Description: string;
  Quantity: number;
  InvoiceDate: string;
  UnitPrice: number;
  CustomerID: string | null;
  Country: string;
}

/**
 * Transactions of three customers, listed so that their first appearance (c3, c1, c2) is not
 * their sorted order, with a cancellation and a guest sale the cleaning drops. Prices are
 * multiples of 1/4, so every sum is exact and the derived histories hold the same numbers.
 */
export function sampleTransactions(): RetailRecord[] {
  const line = (invoice: string, customer: string | null, date: string, quantity: number, price: number): RetailRecord => ({
    InvoiceNo: invoice,
    StockCode: '85123A',
    Description: 'WHITE HANGING HEART T-LIGHT HOLDER',
    Quantity: quantity,
    InvoiceDate: date,
    UnitPrice: price,
    CustomerID: customer,
    Country: 'United Kingdom',
  });
  return [
    line('536365', 'c3', '12/1/2010 8:26', 6, 2.5),
    line('536365', 'c3', '12/1/2010 8:26', 2, 7.75),
    line('536366', 'c1', '12/3/2010 9:00', 12, 1.25),
    line('536367', null, '12/3/2010 9:30', 1, 3),
    line('536368', 'c2', '2011-01-05T10:00:00Z', 4, 3.5),
    line('536369', 'c3', '1/20/2011 11:00', 10, 0.75),
    line('C536370', 'c3', '1/21/2011 11:00', -1, 0.75),
    line('536371', 'c1', '2/14/2011 15:10', 3, 4),
    line('536372', 'c1', '2/14/2011 16:45', 1, 9.5),
    line('536373', 'c1', '4/2/2011 12:00', 24, 0.5),
    line('536374', 'c3', '5/30/2011 13:00', 5, 6.25),
  ];
}

/** The Online Retail CSV of JSON transaction records. */
export function transactionsCsv(records: readonly RetailRecord[]): string {
  const header = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
  return `${header}\n${records.map((r) => [r.InvoiceNo, r.StockCode, `"${r.Description}"`, r.Quantity, r.InvoiceDate, r.UnitPrice, r.CustomerID ?? '', r.Country].join(',')).join('\n')}\n`;
}

/** The customer histories (batch input lines) of transactions, in order of first appearance. */
export function historiesOf(records: readonly RetailRecord[], asOfDate?: string): CustomerHistory[] {
  const { orders } = ordersFromTransactions(
    records.map((r) => ({
      invoiceNo: r.InvoiceNo,
      stockCode: r.StockCode,
      description: r.Description,
      quantity: r.Quantity,
      invoiceDate: parseInvoiceDate(r.InvoiceDate)!,
      unitPrice: r.UnitPrice,
      customerId: r.CustomerID ?? '',
      country: r.Country,
    })),
  );
  const histories = [...customerHistoryLines(orders, asOfDate)].map((line) => JSON.parse(line) as CustomerHistory);
  const firstSeen = [...new Set(records.filter((r) => r.CustomerID !== null && !r.InvoiceNo.startsWith('C')).map((r) => r.CustomerID))];
  return firstSeen.map((id) => histories.find((h) => h.customer_id === id)!);
}

/** Feature rows of histories (every order of each customer), as the training code computes them. */
export function featureRowsOf(histories: readonly CustomerHistory[], asOfDate: string): Array<Record<string, string | number | null>> {
  const table = buildScoringTable(historiesToOrderTable(histories), isoToEpochDay(asOfDate));
  return Array.from({ length: table.nRows }, (_, row) => {
    const record: Record<string, string | number | null> = { customer_id: table.customerIds[row]!, order_date: epochDayToIso(table.orderDay[row]!) };
    FEATURE_NAMES.forEach((name, f) => {
      const value = table.values[row * FEATURE_NAMES.length + f]!;
      record[name] = Number.isNaN(value) ? null : value;
    });
    return record;
  });
}

/** Feature rows as headerless CSV: `customer_id, order_date, <features>`, missing values empty. */
export function featureRowsCsv(rows: ReadonlyArray<Record<string, string | number | null>>, header = false): string {
  const columns = ['customer_id', 'order_date', ...FEATURE_NAMES];
  const lines = rows.map((row) => columns.map((column) => row[column] ?? '').join(','));
  return `${header ? `${columns.join(',')}\n` : ''}${lines.join('\n')}\n`;
}

/** A JSON Lines body. */
export function jsonLines(records: readonly unknown[]): string {
  return `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
}
