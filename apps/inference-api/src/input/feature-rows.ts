import type { ScoringTable } from '@nextbuy/contracts';
import { BadRecordError } from '../errors';
import { cachedEpochDayOf, checkHistoryBefore } from './as-of';
import { groupByAsOfDay, type ParseOptions, type ScoringBatch, type ScoringRequest } from './scoring-request';

/** The leading columns of a feature row, before the model's features in manifest order. */
const FEATURE_ROW_KEY_COLUMNS = ['customer_id', 'order_date'] as const;
const AS_OF_COLUMN = 'as_of_date';
const FLOAT32_MAX = 3.4028234663852886e38;

/** Reads field `key` (a column index or a property name) of a row. */
type FieldReader = (row: unknown, key: number | string) => unknown;
const byIndex: FieldReader = (row, key) => (row as unknown[])[key as number];
const byName: FieldReader = (row, key) => (row as Record<string, unknown>)[key as string];

/** Where each part of a feature row is: column indexes (CSV, JSON arrays) or names (JSON objects). */
export interface FeatureRowLayout {
  read: FieldReader;
  customerId: number | string;
  orderDate: number | string;
  asOfDate: number | string | undefined;
  features: ReadonlyArray<number | string>;
  /** Fields every positional row has; undefined for objects. */
  width: number | undefined;
}

/** Rows without a header: `customer_id, order_date, <features...>`. */
export function positionalLayout(featureNames: readonly string[]): FeatureRowLayout {
  return { read: byIndex, customerId: 0, orderDate: 1, asOfDate: undefined, features: featureNames.map((_, i) => i + 2), width: featureNames.length + 2 };
}

/** JSON objects keyed by column name. */
export function namedLayout(featureNames: readonly string[]): FeatureRowLayout {
  return { read: byName, customerId: 'customer_id', orderDate: 'order_date', asOfDate: AS_OF_COLUMN, features: featureNames, width: undefined };
}

/** CSV rows under a header naming `customer_id`, `order_date`, every feature and optionally `as_of_date`. */
export function headerLayout(header: readonly string[], featureNames: readonly string[]): FeatureRowLayout {
  const names = header.map((name) => name.trim());
  const column = (name: string): number => {
    const index = names.indexOf(name);
    if (index < 0) throw new BadRecordError(undefined, name, `the CSV header has no column "${name}" (feature rows need ${[...FEATURE_ROW_KEY_COLUMNS, ...featureNames].join(', ')})`);
    return index;
  };
  const asOf = names.indexOf(AS_OF_COLUMN);
  return {
    read: byIndex,
    customerId: column('customer_id'),
    orderDate: column('order_date'),
    asOfDate: asOf >= 0 ? asOf : undefined,
    features: featureNames.map(column),
    width: names.length,
  };
}

/**
 * A feature value: a finite number within the 32-bit float range the models compute in, or
 * missing (JSON null, an empty CSV field or `NaN` as pandas writes it) as NaN.
 */
function featureValue(raw: unknown, record: number, field: string): number {
  if (raw === null || raw === '' || raw === 'NaN' || raw === 'nan') return NaN;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (Number.isNaN(value)) {
    throw new BadRecordError(record, field, raw === undefined ? 'missing (every feature of the model is required; null or an empty field for a missing value)' : `must be a number, got ${JSON.stringify(raw)}`);
  }
  if (!Number.isFinite(value)) throw new BadRecordError(record, field, `must be a finite number, got ${String(raw)}`);
  if (Math.abs(value) > FLOAT32_MAX) throw new BadRecordError(record, field, `${value} is outside the 32-bit float range of the model`);
  return value;
}

function customerIdOf(raw: unknown, record: number): string {
  const id = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (typeof id !== 'string' || id.trim() === '') throw new BadRecordError(record, 'customer_id', `must be a non-empty string, got ${JSON.stringify(raw) ?? 'nothing'}`);
  return id.trim();
}

interface Customer {
  id: string;
  start: number;
  end: number;
  asOfDay: number;
  /** The as-of date came from the customer's rows rather than the request. */
  ownAsOf: boolean;
}

/**
 * Feature rows (a customer's rows contiguous and in date order, the LSTM's sequence; XGBoost
 * uses the last) to scoring tables. One response record per customer, in request order.
 */
export function parseFeatureRows(rows: readonly unknown[], layout: FeatureRowLayout, options: ParseOptions): ScoringRequest {
  const { featureNames } = options;
  const width = featureNames.length;
  const n = rows.length;
  const values = new Float32Array(n * width);
  const orderDay = new Int32Array(n);
  const rowCustomerIds = new Array<string>(n);
  const customers: Customer[] = [];
  const seen = new Set<string>();
  let rowAsOf: number | undefined;
  const dayOf = cachedEpochDayOf();
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const record = i + 1;
    if (layout.width !== undefined) {
      const fields = (row as unknown[]).length;
      if (fields === 1 && (row as unknown[])[0] === '') throw new BadRecordError(record, undefined, 'empty line');
      if (fields !== layout.width) {
        throw new BadRecordError(record, undefined, `has ${fields} fields, expected ${layout.width} (${[...FEATURE_ROW_KEY_COLUMNS, ...featureNames].join(', ')})`);
      }
    }
    const id = customerIdOf(layout.read(row, layout.customerId), record);
    const day = dayOf(layout.read(row, layout.orderDate), record, 'order_date');
    const asOfRaw = layout.asOfDate === undefined ? undefined : layout.read(row, layout.asOfDate);
    rowAsOf = asOfRaw === undefined || asOfRaw === '' ? undefined : dayOf(asOfRaw, record, AS_OF_COLUMN);
    const current = customers[customers.length - 1];
    if (current?.id === id) {
      if (day <= orderDay[i - 1]!) throw new BadRecordError(record, 'order_date', `the rows of customer "${id}" must be one per order in date order (this one is not after the row before)`);
      if (rowAsOf !== undefined && rowAsOf !== current.asOfDay) throw new BadRecordError(record, AS_OF_COLUMN, `differs from the as-of date of the rows before of customer "${id}"`);
      current.end = i + 1;
    } else {
      if (seen.has(id)) throw new BadRecordError(record, 'customer_id', `customer "${id}" appears again after other customers; a customer's rows must be contiguous`);
      seen.add(id);
      customers.push({ id, start: i, end: i + 1, asOfDay: rowAsOf ?? options.asOfDay, ownAsOf: rowAsOf !== undefined });
    }
    orderDay[i] = day;
    rowCustomerIds[i] = id;
    const offset = i * width;
    for (let f = 0; f < width; f++) values[offset + f] = featureValue(layout.read(row, layout.features[f]!), record, featureNames[f]!);
  }
  for (const customer of customers) checkHistoryBefore(customer.asOfDay, orderDay[customer.end - 1]!, customer.end, customer.ownAsOf ? AS_OF_COLUMN : 'order_date');

  const batches: ScoringBatch[] = [];
  const all: Rows = { featureNames, values, orderDay, customerIds: rowCustomerIds };
  for (const [asOfDay, group] of groupByAsOfDay(customers.map((item, position) => ({ asOfDay: item.asOfDay, item, position })))) {
    const table = group.items.length === customers.length ? scoringTable(all, group.items, asOfDay) : scoringTable(...selectRows(all, group.items), asOfDay);
    batches.push({ table, customerIds: group.items.map((customer) => customer.id), positions: Int32Array.from(group.positions) });
  }
  return { kind: 'feature_row', customers: customers.length, batches };
}

interface Rows {
  featureNames: readonly string[];
  values: Float32Array;
  orderDay: Int32Array;
  customerIds: string[];
}

/** The rows of some customers copied into a table of their own, and the customers renumbered to it. */
function selectRows(rows: Rows, customers: readonly Customer[]): [Rows, Customer[]] {
  const width = rows.featureNames.length;
  const count = customers.reduce((sum, c) => sum + c.end - c.start, 0);
  const selected: Rows = { featureNames: rows.featureNames, values: new Float32Array(count * width), orderDay: new Int32Array(count), customerIds: [] };
  let next = 0;
  const renumbered = customers.map((customer) => {
    selected.values.set(rows.values.subarray(customer.start * width, customer.end * width), next * width);
    selected.orderDay.set(rows.orderDay.subarray(customer.start, customer.end), next);
    for (let row = customer.start; row < customer.end; row++) selected.customerIds.push(customer.id);
    const moved = { ...customer, start: next, end: next + customer.end - customer.start };
    next = moved.end;
    return moved;
  });
  return [selected, renumbered];
}

function scoringTable(rows: Rows, customers: readonly Customer[], asOfDay: number): ScoringTable {
  const lastRow = Int32Array.from(customers, (customer) => customer.end - 1);
  return {
    featureNames: rows.featureNames,
    nRows: rows.orderDay.length,
    values: rows.values,
    customerIds: rows.customerIds,
    orderDay: rows.orderDay,
    asOfDay,
    lastRow,
    elapsedDays: Float64Array.from(lastRow, (row) => asOfDay - rows.orderDay[row]!),
  };
}
