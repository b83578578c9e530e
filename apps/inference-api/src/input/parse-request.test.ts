import { isoToEpochDay } from '@nextbuy/contracts';
import { FEATURE_NAMES } from '@nextbuy/features';
import { describe, expect, it } from 'vitest';
import { featureRowsCsv, featureRowsOf, historiesOf, jsonLines, sampleTransactions, transactionsCsv } from '../../test/fixtures';
import { BadRecordError } from '../errors';
import type { MediaType } from '../media-types';
import { parseRequest } from './parse-request';
import type { ScoringRequest } from './scoring-request';

const AS_OF = '2011-07-01';
const options = { featureNames: FEATURE_NAMES, asOfDay: isoToEpochDay(AS_OF) };
const parse = (body: string, type: MediaType, asOfDay = options.asOfDay) => parseRequest(Buffer.from(body), type, { ...options, asOfDay });

/** What the model sees of each response position: the customer, the as-of day and every feature row of its history. */
function modelInput(request: ScoringRequest) {
  const customers: Array<{ id: string; asOfDay: number; orderDays: number[]; values: number[]; elapsed: number }> = [];
  for (const { table, customerIds, positions } of request.batches) {
    const width = table.featureNames.length;
    table.lastRow.forEach((last, i) => {
      let first = last;
      while (first > 0 && table.customerIds[first - 1] === table.customerIds[last]) first--;
      customers[positions[i]!] = {
        id: customerIds[i]!,
        asOfDay: table.asOfDay,
        orderDays: Array.from(table.orderDay.subarray(first, last + 1)),
        values: Array.from(table.values.subarray(first * width, (last + 1) * width)),
        elapsed: table.elapsedDays[i]!,
      };
    });
  }
  expect(customers.length).toBe(request.customers);
  return customers;
}

function refusal(run: () => unknown): BadRecordError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRecordError);
    return error as BadRecordError;
  }
  throw new Error('expected the request to be refused');
}

describe('parseRequest (input_fn)', () => {
  const transactions = sampleTransactions();
  const histories = historiesOf(transactions);
  const rows = featureRowsOf(histories, AS_OF);

  it('gives the model the same input for the same customers, whatever the record kind and content type', () => {
    const reference = modelInput(parse(jsonLines(histories), 'application/jsonlines'));
    expect(reference.map((c) => c.id)).toEqual(['c3', 'c1', 'c2']);
    expect(reference[0]!.orderDays).toHaveLength(3);
    expect(reference[0]!.elapsed).toBe(isoToEpochDay(AS_OF) - isoToEpochDay('2011-05-30'));
    const bodies: Array<[string, string, MediaType]> = [
      ['histories, JSON instances', JSON.stringify({ instances: histories }), 'application/json'],
      ['histories, JSON array', JSON.stringify(histories), 'application/json'],
      ['transactions, JSON', JSON.stringify(transactions), 'application/json'],
      ['transactions, JSON Lines', jsonLines(transactions), 'application/jsonlines'],
      ['transactions, CSV', transactionsCsv(transactions), 'text/csv'],
      ['feature rows, JSON objects', JSON.stringify({ instances: rows }), 'application/json'],
      ['feature rows, JSON arrays', jsonLines(rows.map((row) => ['customer_id', 'order_date', ...FEATURE_NAMES].map((c) => row[c]))), 'application/jsonlines'],
      ['feature rows, CSV without header', featureRowsCsv(rows), 'text/csv'],
      ['feature rows, CSV with header', featureRowsCsv(rows, true), 'text/csv'],
    ];
    for (const [name, body, type] of bodies) expect(modelInput(parse(body, type)), name).toEqual(reference);
  });

  it('scores a single history object, and two records of one customer separately (one answer per input line)', () => {
    expect(modelInput(parse(JSON.stringify(histories[1]), 'application/json')).map((c) => c.id)).toEqual(['c1']);
    const twice = modelInput(parse(jsonLines([histories[0], { ...histories[0]!, orders: histories[0]!.orders.slice(0, 1) }]), 'application/jsonlines'));
    expect(twice.map((c) => [c.id, c.orderDays.length])).toEqual([
      ['c3', 3],
      ['c3', 1],
    ]);
  });

  it('takes each record its own as-of date, in request order', () => {
    const request = parse(jsonLines([{ ...histories[0]!, as_of_date: '2011-12-24' }, histories[1], { ...histories[2]!, as_of_date: '2011-12-24' }]), 'application/jsonlines');
    expect(request.batches).toHaveLength(2);
    const input = modelInput(request);
    expect(input.map((c) => [c.id, c.asOfDay])).toEqual([
      ['c3', isoToEpochDay('2011-12-24')],
      ['c1', isoToEpochDay(AS_OF)],
      ['c2', isoToEpochDay('2011-12-24')],
    ]);
    expect(input[0]!.values).toEqual(modelInput(parse(jsonLines([histories[0]]), 'application/jsonlines'))[0]!.values);
    const featureRows = parse(featureRowsCsv(rows, true).replace('customer_id,', 'as_of_date,customer_id,').replace(/\n(?=c)/g, '\n2011-12-24,'), 'text/csv');
    expect(modelInput(featureRows).map((c) => c.asOfDay)).toEqual([isoToEpochDay('2011-12-24'), isoToEpochDay('2011-12-24'), isoToEpochDay('2011-12-24')]);
  });

  it('drops the transactions the cleaning rules drop, as in training', () => {
    const withExtra = [...transactions, { ...transactions[0]!, InvoiceNo: 'C9', InvoiceDate: '6/1/2011 9:00', Quantity: -100 }, { ...transactions[0]!, CustomerID: '', UnitPrice: 0 }];
    expect(modelInput(parse(JSON.stringify(withExtra), 'application/json'))).toEqual(modelInput(parse(JSON.stringify(transactions), 'application/json')));
  });

  it.each<[string, string, MediaType, number | undefined, string | undefined, RegExp]>([
    ['a history whose orders are not a list', jsonLines([histories[0], { customer_id: 'x', orders: 'none' }]), 'application/jsonlines', 2, 'orders', /expected array/],
    ['a bad order date', jsonLines([{ customer_id: 'x', orders: [{ date: '2011-01-01', total_price: 1, quantity: 1 }, { date: '2011-02-30', total_price: 1, quantity: 1 }] }]), 'application/jsonlines', 1, 'orders[1].date', /date/i],
    ['a price that is text', JSON.stringify([{ customer_id: 'x', orders: [{ date: '2011-01-01', total_price: '5', quantity: 1 }] }]), 'application/json', 1, 'orders[0].total_price', /expected number/],
    ['a huge number', '[{"customer_id":"x","orders":[{"date":"2011-01-01","total_price":1e999,"quantity":1}]}]', 'application/json', 1, 'orders[0].total_price', /./],
    ['an as-of date before the last order', jsonLines([histories[0], { ...histories[1]!, as_of_date: '2011-01-01' }]), 'application/jsonlines', 2, 'as_of_date', /2011-04-02\) is not before the as-of date 2011-01-01/],
    ['a last order on the default as-of date', jsonLines([{ customer_id: 'x', orders: [{ date: AS_OF, total_price: 1, quantity: 1 }] }]), 'application/jsonlines', 1, 'orders[0].date', /not before the as-of date/],
    ['amounts that overflow float32', jsonLines([histories[0], { ...histories[1]!, orders: [{ date: '2011-01-01', total_price: 1e300, quantity: 1 }] }]), 'application/jsonlines', 2, 'orders', /TotalPrice overflows the 32-bit floats/],
    ['a transaction amount that overflows', JSON.stringify([...transactions, { ...transactions[2]!, UnitPrice: 1e300 }]), 'application/json', 3, 'UnitPrice', /TotalPrice overflows/],
    ['amounts whose sum overflows', jsonLines([{ customer_id: 'x', orders: [{ date: '2011-01-01', total_price: 1e308, quantity: 1 }, { date: '2011-01-01', total_price: 1e308, quantity: 1 }] }]), 'application/jsonlines', 1, 'orders', /total price overflows/],
    ['a transaction whose amount overflows', JSON.stringify([...transactions, { ...transactions[4]!, Quantity: 1e308 }]), 'application/json', 12, 'UnitPrice', /Quantity \* UnitPrice overflows/],
    ['transactions whose sum overflows', JSON.stringify([...transactions, { ...transactions[4]!, Quantity: 1e300, UnitPrice: 1e8 }, { ...transactions[4]!, Quantity: 1e300, UnitPrice: 1e8 }]), 'application/json', 5, 'UnitPrice', /total price overflows/],
    ['a transaction with a text quantity', JSON.stringify([transactions[0], { ...transactions[1]!, Quantity: 'many' }]), 'application/json', 2, 'Quantity', /number/],
    ['a transaction with a bad date', transactionsCsv(transactions).replace('2/14/2011 16:45', '14/2/2011 16:45'), 'text/csv', 9, 'InvoiceDate', /not a date/],
    ['a transaction after the as-of date', JSON.stringify([...transactions, { ...transactions[0]!, InvoiceDate: '7/2/2011 10:00' }]), 'application/json', 12, 'InvoiceDate', /not before the as-of date/],
    ['a transaction with its own as-of date', JSON.stringify([{ ...transactions[0]!, as_of_date: AS_OF }]), 'application/json', 1, 'as_of_date', /as-of date of the request/],
    ['a transaction CSV without CustomerID', transactionsCsv(transactions).replace('CustomerID', 'Customer'), 'text/csv', undefined, 'CustomerID', /lacks "CustomerID"/],
    ['only dropped transactions', JSON.stringify([transactions[3]]), 'application/json', undefined, undefined, /missing_customer_id: 1 \(first at record 1\)/],
    ['a feature row without a feature', JSON.stringify([rows[0], { ...rows[1], MeanGap: undefined }]), 'application/json', 2, 'MeanGap', /missing/],
    ['a feature beyond float32', JSON.stringify([{ ...rows[0], TotalPrice: 1e39 }]), 'application/json', 1, 'TotalPrice', /32-bit float/],
    ['a feature row with text', featureRowsCsv(rows).replace(/^(c3,2010-12-01,[^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/, '$1four'), 'text/csv', 1, 'OrderCount', /must be a number/],
    ['a short CSV row', featureRowsCsv(rows).replace(/,[^,\n]*\n/, '\n'), 'text/csv', 1, undefined, /has 20 fields, expected 21/],
    ['a feature row out of date order', featureRowsCsv([rows[1]!, rows[0]!]), 'text/csv', 2, 'order_date', /date order/],
    ['a customer split by another', featureRowsCsv([rows[0]!, rows[3]!, rows[1]!]), 'text/csv', 3, 'customer_id', /contiguous/],
    ['a blank line in JSON Lines', `${jsonLines([histories[0]])}\n${jsonLines([histories[1]])}`, 'application/jsonlines', 2, undefined, /empty line/],
    ['a broken JSON line', `${jsonLines([histories[0]])}{"customer_id":\n`, 'application/jsonlines', 2, undefined, /not valid JSON/],
    ['records of two kinds', JSON.stringify([histories[0], transactions[0]]), 'application/json', 2, undefined, /is a transaction but record 1 is a customer history/],
    ['an unknown record', JSON.stringify([{ hello: 'world' }]), 'application/json', 1, undefined, /not a record the server knows/],
    ['a JSON number', '42', 'application/json', undefined, undefined, /must be \{"instances"/],
    ['a truncated JSON document', JSON.stringify(histories).slice(0, 50), 'application/json', undefined, undefined, /not valid JSON/],
    ['an empty body', '  \n', 'text/csv', undefined, undefined, /empty/],
    ['an unclosed CSV quote', 'InvoiceNo,CustomerID\n"1,2\n', 'text/csv', undefined, undefined, /not valid CSV at line/],
  ])('refuses %s, naming the record and field', (_name, body, type, record, field, message) => {
    const error = refusal(() => parse(body, type));
    expect(error.status).toBe(400);
    expect([error.record, error.field]).toEqual([record, field]);
    expect(error.message).toMatch(message);
    if (record !== undefined) expect(error.message).toContain(`record ${record}`);
    if (field !== undefined) expect(error.message).toContain(`field "${field}"`);
  });

  it('refuses a body that is not UTF-8', () => {
    expect(refusal(() => parseRequest(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d), 'application/json', options)).message).toMatch(/not valid UTF-8/);
  });
});
