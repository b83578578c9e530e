import { createHash } from 'node:crypto';
import { customerSegments, toEpochDay, type Manifest, type OrderTable, type Transaction } from '@nextbuy/contracts';

const INITIAL_CAPACITY = 1024;

function grown<T extends Int32Array | Float64Array>(array: T, size: number): T {
  if (size < array.length) return array;
  const larger = new (array.constructor as new (length: number) => T)(array.length * 2);
  larger.set(array);
  return larger;
}

/**
 * A copy of a string that shares no memory with the text it was cut from. V8 keeps a substring
 * of 13+ characters as a view of its parent: an id kept as a view of a 64 KiB chunk of the
 * source would keep that whole chunk alive, and a long-running read would hold the file.
 */
function detached(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/** The orders of a part of a source, as plain data: what a worker thread sends back for its block. */
export interface PartialOrders {
  customerIds: string[];
  /** Per order: its customer's index in `customerIds`. */
  customerOfOrder: Int32Array;
  day: Int32Array;
  totalPrice: Float64Array;
  quantity: Float64Array;
  lines: Int32Array;
  /** Per order: its invoice number, or all of them when it has more than one. */
  invoices: (string | string[])[];
  /** Every transaction added, in order: its order's index, quantity and amount (quantity x price). */
  terms: { order: Int32Array; quantity: Float64Array; amount: Float64Array };
}

/**
 * Aggregates cleaned transactions into orders (one per customer and UTC calendar day) as they
 * arrive, holding one entry per order, never the transactions: memory grows with the number of
 * orders, not with the size of the source.
 */
export class OrderAccumulator {
  private readonly slotOfCustomer = new Map<string, number>();
  private readonly customerIds: string[] = [];
  /** Per customer slot: epoch day -> order slot. */
  private readonly ordersOfCustomer: Map<number, number>[] = [];
  private day = new Int32Array(INITIAL_CAPACITY);
  private totalPrice = new Float64Array(INITIAL_CAPACITY);
  private quantity = new Float64Array(INITIAL_CAPACITY);
  private lines = new Int32Array(INITIAL_CAPACITY);
  /** The order's invoice number while it has one, the set of them once it has more. */
  private readonly invoices: (string | Set<string>)[] = [];
  private size = 0;
  // Consecutive lines nearly always belong to the same invoice, hence the same order.
  private lastCustomerId: string | null = null;
  private lastDay = 0;
  private lastSlot = 0;
  /** What `toPartial` hands over in `terms`, kept only when asked for. */
  private terms: { order: Int32Array; quantity: Float64Array; amount: Float64Array; size: number } | null;

  /**
   * @param keepTerms keep every transaction's quantity and amount, for `toPartial`: a part of a
   * source read on another thread, whose orders may continue those of an earlier part.
   */
  constructor(keepTerms = false) {
    this.terms = keepTerms
      ? { order: new Int32Array(INITIAL_CAPACITY), quantity: new Float64Array(INITIAL_CAPACITY), amount: new Float64Array(INITIAL_CAPACITY), size: 0 }
      : null;
  }

  /** Adds one transaction that breaks no cleaning rule (`brokenCleaningRule` gave null). */
  add(transaction: Transaction): void {
    const day = toEpochDay(transaction.invoiceDate);
    let slot = this.lastSlot;
    if (transaction.customerId !== this.lastCustomerId || day !== this.lastDay) {
      slot = this.orderSlot(transaction.customerId, day, transaction.invoiceNo);
      this.lastCustomerId = transaction.customerId;
      this.lastDay = day;
      this.lastSlot = slot;
    }
    const amount = transaction.quantity * transaction.unitPrice;
    this.totalPrice[slot]! += amount;
    this.quantity[slot]! += transaction.quantity;
    const terms = this.terms;
    if (terms) {
      const index = terms.size++;
      terms.order = grown(terms.order, index);
      terms.quantity = grown(terms.quantity, index);
      terms.amount = grown(terms.amount, index);
      terms.order[index] = slot;
      terms.quantity[index] = transaction.quantity;
      terms.amount[index] = amount;
    }
    this.lines[slot]!++;
    this.addInvoice(slot, transaction.invoiceNo);
  }

  private addInvoice(slot: number, invoiceNo: string): void {
    const invoices = this.invoices[slot]!;
    if (typeof invoices === 'string') {
      if (invoices !== invoiceNo) this.invoices[slot] = new Set([invoices, detached(invoiceNo)]);
    } else if (!invoices.has(invoiceNo)) {
      invoices.add(detached(invoiceNo));
    }
  }

  /** The orders so far, in the order they were first seen, as plain data (of an accumulator that keeps its terms). */
  toPartial(): PartialOrders {
    const terms = this.terms;
    if (!terms) throw new Error('OrderAccumulator.toPartial: construct it with keepTerms');
    const customerOfOrder = new Int32Array(this.size);
    this.ordersOfCustomer.forEach((orders, customer) => {
      for (const slot of orders.values()) customerOfOrder[slot] = customer;
    });
    return {
      customerIds: this.customerIds.slice(),
      customerOfOrder,
      day: this.day.slice(0, this.size),
      totalPrice: this.totalPrice.slice(0, this.size),
      quantity: this.quantity.slice(0, this.size),
      lines: this.lines.slice(0, this.size),
      invoices: this.invoices.map((invoices) => (typeof invoices === 'string' ? invoices : [...invoices])),
      terms: { order: terms.order.slice(0, terms.size), quantity: terms.quantity.slice(0, terms.size), amount: terms.amount.slice(0, terms.size) },
    };
  }

  /**
   * Adds the orders of a part of the source read after every transaction and part added so far:
   * the same orders, to the last bit, as adding the part's transactions one by one. An order new
   * here takes the part's sums (both started from zero and added the same terms in the same
   * order); one that continues an order already here adds the part's terms to it, in order.
   */
  absorb(part: PartialOrders): void {
    const continued = new Int32Array(part.day.length).fill(-1);
    let anyContinued = false;
    for (let order = 0; order < part.day.length; order++) {
      const invoices = part.invoices[order]!;
      const first = typeof invoices === 'string' ? invoices : invoices[0]!;
      const known = this.size;
      const slot = this.orderSlot(part.customerIds[part.customerOfOrder[order]!]!, part.day[order]!, first);
      if (slot < known) {
        continued[order] = slot;
        anyContinued = true;
      } else {
        this.totalPrice[slot] = part.totalPrice[order]!;
        this.quantity[slot] = part.quantity[order]!;
      }
      this.lines[slot]! += part.lines[order]!;
      if (typeof invoices !== 'string') for (const invoice of invoices) this.addInvoice(slot, invoice);
      else if (this.invoices[slot] !== invoices) this.addInvoice(slot, invoices);
    }
    if (!anyContinued) return;
    const { order, quantity, amount } = part.terms;
    for (let term = 0; term < order.length; term++) {
      const slot = continued[order[term]!]!;
      if (slot < 0) continue;
      this.totalPrice[slot]! += amount[term]!;
      this.quantity[slot]! += quantity[term]!;
    }
  }

  /** Orders so far. */
  get orderCount(): number {
    return this.size;
  }

  /** Customers so far. */
  get customerCount(): number {
    return this.customerIds.length;
  }

  /** The orders so far, sorted by customer id (code-unit order) then day. */
  finish(): OrderTable {
    const customerOrder = this.customerIds.map((_, slot) => slot);
    const ids = this.customerIds;
    customerOrder.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    const table: OrderTable = {
      nRows: this.size,
      customerIds: [],
      day: new Int32Array(this.size),
      totalPrice: new Float64Array(this.size),
      quantity: new Float64Array(this.size),
      lines: new Int32Array(this.size),
      invoices: new Int32Array(this.size),
    };
    const customerIds = table.customerIds as string[];
    let row = 0;
    for (const customer of customerOrder) {
      const slots = [...this.ordersOfCustomer[customer]!.values()].sort((a, b) => this.day[a]! - this.day[b]!);
      for (const slot of slots) {
        customerIds.push(ids[customer]!);
        table.day[row] = this.day[slot]!;
        table.totalPrice[row] = this.totalPrice[slot]!;
        table.quantity[row] = this.quantity[slot]!;
        table.lines[row] = this.lines[slot]!;
        const invoices = this.invoices[slot]!;
        table.invoices[row] = typeof invoices === 'string' ? 1 : invoices.size;
        row++;
      }
    }
    return table;
  }

  private orderSlot(customerId: string, day: number, invoiceNo: string): number {
    let customer = this.slotOfCustomer.get(customerId);
    if (customer === undefined) {
      customer = this.customerIds.length;
      const id = detached(customerId);
      this.slotOfCustomer.set(id, customer);
      this.customerIds.push(id);
      this.ordersOfCustomer.push(new Map());
    }
    const orders = this.ordersOfCustomer[customer]!;
    let slot = orders.get(day);
    if (slot === undefined) {
      slot = this.size++;
      orders.set(day, slot);
      this.day = grown(this.day, slot);
      this.totalPrice = grown(this.totalPrice, slot);
      this.quantity = grown(this.quantity, slot);
      this.lines = grown(this.lines, slot);
      this.day[slot] = day;
      this.invoices.push(detached(invoiceNo));
    }
    return slot;
  }
}

/**
 * A fingerprint of an order table's content (customers, days and every aggregate), the same for
 * the same orders in any run: the manifest's `dataFingerprint`.
 */
export function fingerprintOrders(orders: OrderTable): Manifest['dataFingerprint'] {
  const hash = createHash('sha256');
  hash.update(`nextbuy-orders-v1 ${orders.nRows}\n`);
  hash.update(JSON.stringify(orders.customerIds));
  // Typed arrays hashed as their bytes: little-endian on every platform Node supports here.
  for (const column of [orders.day, orders.totalPrice, orders.quantity, orders.lines, orders.invoices]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return { sha256: hash.digest('hex'), rows: orders.nRows, customers: customerSegments(orders).length };
}
