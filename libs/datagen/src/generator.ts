/**
 * The generative model of the synthetic Online Retail data.
 *
 * Time. Every process below runs in "business time", where one unit is one average trading
 * day of the window (calendar.ts). Its mapping to real time gives the seasonality: trading is
 * ~2.3x as busy per day in November as in spring, 1.5x in December, closed on Saturdays and
 * from 24 December to 3 January, busiest on Thursdays and around noon.
 *
 * Customers (population.ts), in the spirit of the BG/NBD model (Fader, Hardie & Lee 2005):
 * - each registered customer i has a purchase rate lambda_i ~ Gamma(1.5, mean 1/45 per trading
 *   day), so rates differ widely across customers;
 * - gaps between their purchases are Gamma(k_i, mean 1/lambda_i) with k_i ~ U(1.5, 4): the
 *   customer's own rate drives their gaps, which is the signal that makes their next gap
 *   predictable from their history better than from the population's gap distribution;
 * - after each purchase they drop out for good with probability p_i ~ Beta(1.5, 8) (mean 0.16);
 * - 30% are already customers when the window opens (first purchase within one mean gap), the
 *   rest join at a uniformly random business time; every customer buys at least once;
 * - a handful of wholesale customers buy every 3 to 8 trading days from the window's start, never
 *   drop out, and buy 40x to 120x the usual quantities: the outliers the filter must find.
 *
 * Invoices. A purchase is one invoice of L lines, L = 1 + Poisson(s * b_i - 1), where b_i ~
 * Gamma(2, 0.5) is the customer's basket size and s is solved (by bisection, from a dry run of
 * every customer's purchase times) so that the data set lands on the requested row count. Lines
 * are distinct products: 35% from the customer's 8 favourites, the rest by catalogue popularity
 * (Zipf-like over ~3,000 products, catalogue.ts). Quantity = pack size x (1 + Geometric(0.55)) x
 * the customer's quantity scale (log-normal, median 1; wholesale 40 to 120), mostly 1 to 12;
 * 100 units or more get a 15% price break. Foreign invoices usually carry a POSTAGE line.
 *
 * Guests. 25% of rows are invoices without a customer id, a Poisson process in business time
 * (so seasonal too), with baskets drawn like a random retail customer's; its rate is set by a
 * dry run of its stream so that guest rows hit their share exactly.
 *
 * Cancellations. 15% of registered customers' invoices are later partly cancelled: each line
 * with probability 0.18 (so ~2% of all rows), a few trading days later, on an invoice numbered
 * `C...` with the same products and prices and negative quantities (usually the whole line).
 *
 * Every random draw comes from seeded streams (`@nextbuy/random`): one per customer for purchase times,
 * which is what lets the dry run replay them, and one each for the catalogue, the population,
 * the invoice contents and the guests. Events are merged in time order with a binary heap, so
 * memory grows with the number of customers, never with the number of rows.
 */
import type { Transaction } from '@nextbuy/contracts';
import { createCatalogue, type Catalogue } from './catalogue';
import { momentAt, tradingCalendar, type CalendarMoment, type TradingCalendar } from './calendar';
import { GeneratorOptionsError } from './errors';
import { resolveOptions, type GeneratorOptions, type ResolvedOptions } from './options';
import {
  COUNTRIES,
  COUNTRY_WEIGHTS,
  FAVOURITES,
  HOME_COUNTRY,
  STREAM,
  countPurchases,
  createPopulation,
  nextPurchase,
  scheduleRng,
  type Population,
} from './population';
import {
  createRng,
  deriveSeed,
  sampleCumulative,
  sampleExponential,
  sampleGamma,
  sampleGeometric,
  sampleNormal,
  samplePoisson,
  type Rng,
} from '@nextbuy/random';

const GUEST_SHARE = 0.25;
const CANCELLATION_SHARE = 0.02;
const PURCHASE_SHARE = 1 - GUEST_SHARE - CANCELLATION_SHARE;
const CANCELLED_INVOICE_SHARE = 0.15;
/** Chance that a line of a cancelled invoice is cancelled: ~2% of rows end up cancellations. */
const CANCELLED_LINE_SHARE = CANCELLATION_SHARE / PURCHASE_SHARE / CANCELLED_INVOICE_SHARE;
const MEAN_CANCELLATION_DELAY = 2;
const FAVOURITE_SHARE = 0.35;
const POSTAGE_SHARE = 0.7;
const BULK_QUANTITY = 100;
const BULK_DISCOUNT = 0.85;
/** Online Retail's first invoice number. */
const FIRST_INVOICE_NO = 536_365;

/** Everything fixed before the first row: calendar, catalogue, customers and the basket scale. */
export interface DatasetPlan {
  options: ResolvedOptions;
  calendar: TradingCalendar;
  catalogue: Catalogue;
  population: Population;
  /** s of the model: mean lines per invoice of a customer with basket size 1. */
  basketScale: number;
  /** Business time per unit of the guests' unit-rate Poisson process. */
  guestTimeScale: number;
}

/** Solves the basket scale so the expected rows land on the target (see the model above). */
function solveBasketScale(population: Population, purchases: Int32Array, purchaseRows: number): number {
  const expectedLines = (s: number) => {
    let lines = 0;
    for (let i = 0; i < population.count; i++) lines += purchases[i]! * Math.max(1, s * population.basket[i]!);
    return lines;
  };
  const minimum = expectedLines(0);
  if (minimum > purchaseRows * 1.02) {
    throw new GeneratorOptionsError(
      'customers',
      `(${population.count}) make about ${Math.round(minimum)} purchases, more than ${Math.round(purchaseRows)} purchase rows can hold; ask for fewer customers or more rows`,
    );
  }
  let lo = 0;
  let hi = 1;
  while (expectedLines(hi) < purchaseRows) hi *= 2;
  for (let step = 0; step < 60; step++) {
    const mid = (lo + hi) / 2;
    if (expectedLines(mid) < purchaseRows) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

interface GuestInvoice {
  country: number;
  lines: number;
  quantityScale: number;
}

/** A guest invoice's country, line count and quantity scale, all from the guests' stream. */
function drawGuestInvoice(rng: Rng, basketScale: number): GuestInvoice {
  const country = rng() < 0.95 ? HOME_COUNTRY : sampleCumulative(rng, COUNTRY_WEIGHTS);
  const lines = 1 + samplePoisson(rng, Math.max(0, basketScale * sampleGamma(rng, 2, 0.5) - 1));
  return { country, lines, quantityScale: Math.exp(0.5 * sampleNormal(rng)) };
}

/**
 * Guests are a unit-rate Poisson process stretched over the window. A dry run of their stream
 * finds where their lines reach the target, and the stretch puts the next guest invoice just
 * past the window's end, so guest rows hit their share exactly instead of by chance.
 */
function solveGuestTimeScale(seed: number, basketScale: number, guestRows: number, end: number): number {
  const rng = createRng(deriveSeed(seed, STREAM.guests));
  let time = sampleExponential(rng);
  for (let rows = 0; rows < guestRows; time += sampleExponential(rng)) rows += drawGuestInvoice(rng, basketScale).lines;
  return end / time;
}

/** The calendar, catalogue and customers of a data set: everything drawn before any invoice. */
function draftDataset(resolved: ResolvedOptions): Pick<DatasetPlan, 'calendar' | 'catalogue' | 'population'> {
  const calendar = tradingCalendar(resolved.startDay, resolved.endDay);
  const catalogue = createCatalogue(deriveSeed(resolved.seed, STREAM.catalogue));
  return { calendar, catalogue, population: createPopulation(resolved, catalogue, calendar.total) };
}

/** Resolves the options and fixes everything that does not depend on the order of rows. */
export function planDataset(options: GeneratorOptions): DatasetPlan {
  const resolved = resolveOptions(options);
  const { calendar, catalogue, population } = draftDataset(resolved);
  const purchases = new Int32Array(population.count);
  for (let i = 0; i < population.count; i++) purchases[i] = countPurchases(population, i, resolved.seed, calendar.total);
  const basketScale = solveBasketScale(population, purchases, resolved.rows * PURCHASE_SHARE);
  const guestTimeScale = solveGuestTimeScale(resolved.seed, basketScale, resolved.rows * GUEST_SHARE, calendar.total);
  return { options: resolved, calendar, catalogue, population, basketScale, guestTimeScale };
}

/** Customer ids of the planted wholesale customers, the outliers a filter should find. */
export function plantedWholesaleCustomerIds(options: GeneratorOptions): string[] {
  const { population } = draftDataset(resolveOptions(options));
  return population.customerIds.filter((_, i) => population.wholesale[i] === 1);
}

/**
 * One generated invoice. The line columns are reused buffers: valid until the generator is
 * resumed, so a consumer copies what it keeps.
 */
export interface GeneratedInvoice {
  invoiceNo: string;
  moment: CalendarMoment;
  /** Empty for a guest. */
  customerId: string;
  country: string;
  lineCount: number;
  product: Int32Array;
  quantity: Int32Array;
  unitPrice: Float64Array;
}

interface PendingCancellation {
  customer: number;
  product: Int32Array;
  quantity: Int32Array;
  unitPrice: Float64Array;
}

const PURCHASE = 0;
const GUEST = 1;
const CANCELLATION = 2;

interface ScheduledEvent {
  tau: number;
  kind: typeof PURCHASE | typeof GUEST | typeof CANCELLATION;
  customer: number;
  cancellation?: PendingCancellation;
}

/** A binary min-heap of events by business time. */
class EventQueue {
  private readonly heap: ScheduledEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: ScheduledEvent): void {
    const heap = this.heap;
    let i = heap.push(event) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.tau <= event.tau) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = event;
  }

  pop(): ScheduledEvent {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= heap.length) break;
        if (child + 1 < heap.length && heap[child + 1]!.tau < heap[child]!.tau) child++;
        if (heap[child]!.tau >= last.tau) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

/** Reusable line buffers that grow with the largest basket. */
class LineBuffer {
  product = new Int32Array(64);
  quantity = new Int32Array(64);
  unitPrice = new Float64Array(64);

  ensure(lines: number): void {
    if (lines <= this.product.length) return;
    const size = Math.max(lines, this.product.length * 2);
    this.product = new Int32Array(size);
    this.quantity = new Int32Array(size);
    this.unitPrice = new Float64Array(size);
  }
}

/** Fills the first `lines` lines of `buffer` with a basket. */
function fillBasket(
  plan: DatasetPlan,
  rng: Rng,
  buffer: LineBuffer,
  lines: number,
  customer: number,
  country: number,
  quantityScale: number,
): void {
  const { catalogue, population } = plan;
  buffer.ensure(lines);
  let line = 0;
  if (country !== HOME_COUNTRY && rng() < POSTAGE_SHARE) {
    buffer.product[0] = catalogue.postage;
    buffer.quantity[0] = 1 + sampleGeometric(rng, 0.7);
    buffer.unitPrice[0] = catalogue.unitPrices[catalogue.postage]!;
    line = 1;
  }
  for (; line < lines; line++) {
    let product = 0;
    // A few redraws keep baskets to distinct products without an unbounded loop.
    for (let attempt = 0; attempt < 4; attempt++) {
      product =
        customer >= 0 && rng() < FAVOURITE_SHARE
          ? population.favourites[customer * FAVOURITES + Math.floor(rng() * FAVOURITES)]!
          : sampleCumulative(rng, catalogue.popularity);
      let repeated = false;
      for (let earlier = 0; earlier < line && !repeated; earlier++) repeated = buffer.product[earlier] === product;
      if (!repeated) break;
    }
    const units = catalogue.packSizes[product]! * (1 + sampleGeometric(rng, 0.6));
    const quantity = Math.max(1, Math.round(units * quantityScale));
    const price = catalogue.unitPrices[product]!;
    buffer.product[line] = product;
    buffer.quantity[line] = quantity;
    buffer.unitPrice[line] = quantity >= BULK_QUANTITY ? Math.max(0.01, Math.round(price * BULK_DISCOUNT * 100) / 100) : price;
  }
}

/** The lines of `buffer` a later cancellation takes back, or null when none. */
function drawCancellation(rng: Rng, buffer: LineBuffer, lineCount: number, customer: number): PendingCancellation | null {
  if (rng() >= CANCELLED_INVOICE_SHARE) return null;
  const picked: number[] = [];
  for (let line = 0; line < lineCount; line++) if (rng() < CANCELLED_LINE_SHARE) picked.push(line);
  if (picked.length === 0) return null;
  const cancellation: PendingCancellation = {
    customer,
    product: new Int32Array(picked.length),
    quantity: new Int32Array(picked.length),
    unitPrice: new Float64Array(picked.length),
  };
  picked.forEach((line, k) => {
    const bought = buffer.quantity[line]!;
    cancellation.product[k] = buffer.product[line]!;
    cancellation.quantity[k] = -(rng() < 0.7 ? bought : Math.max(1, Math.ceil(rng() * bought)));
    cancellation.unitPrice[k] = buffer.unitPrice[line]!;
  });
  return cancellation;
}

/** Invoices in time order (purchases, guest sales and cancellations), lazily. */
export function* generateInvoices(plan: DatasetPlan): Generator<GeneratedInvoice> {
  const { calendar, population, options, basketScale, guestTimeScale } = plan;
  const end = calendar.total;
  const contents = createRng(deriveSeed(options.seed, STREAM.contents));
  const guests = createRng(deriveSeed(options.seed, STREAM.guests));
  const schedules: (Rng | undefined)[] = new Array(population.count);
  const queue = new EventQueue();
  for (let i = 0; i < population.count; i++) queue.push({ tau: population.firstPurchase[i]!, kind: PURCHASE, customer: i });
  const firstGuest = sampleExponential(guests) * guestTimeScale;
  if (firstGuest < end) queue.push({ tau: firstGuest, kind: GUEST, customer: -1 });

  const buffer = new LineBuffer();
  const invoice: GeneratedInvoice = {
    invoiceNo: '',
    moment: momentAt(calendar, 0),
    customerId: '',
    country: '',
    lineCount: 0,
    product: buffer.product,
    quantity: buffer.quantity,
    unitPrice: buffer.unitPrice,
  };
  let invoiceNo = FIRST_INVOICE_NO;
  while (queue.size > 0) {
    const event = queue.pop();
    invoice.moment = momentAt(calendar, event.tau);
    if (event.kind === CANCELLATION) {
      const cancellation = event.cancellation!;
      invoice.invoiceNo = `C${invoiceNo++}`;
      invoice.customerId = population.customerIds[cancellation.customer]!;
      invoice.country = COUNTRIES[population.country[cancellation.customer]!]!;
      invoice.lineCount = cancellation.product.length;
      invoice.product = cancellation.product;
      invoice.quantity = cancellation.quantity;
      invoice.unitPrice = cancellation.unitPrice;
      yield invoice;
      continue;
    }
    let lineCount: number;
    if (event.kind === GUEST) {
      const guest = drawGuestInvoice(guests, basketScale);
      lineCount = guest.lines;
      fillBasket(plan, contents, buffer, lineCount, -1, guest.country, guest.quantityScale);
      invoice.customerId = '';
      invoice.country = COUNTRIES[guest.country]!;
      const next = event.tau + sampleExponential(guests) * guestTimeScale;
      if (next < end) queue.push({ tau: next, kind: GUEST, customer: -1 });
    } else {
      const i = event.customer;
      lineCount = 1 + samplePoisson(contents, Math.max(0, basketScale * population.basket[i]! - 1));
      fillBasket(plan, contents, buffer, lineCount, i, population.country[i]!, population.quantityScale[i]!);
      invoice.customerId = population.customerIds[i]!;
      invoice.country = COUNTRIES[population.country[i]!]!;
      const cancellation = drawCancellation(contents, buffer, lineCount, i);
      if (cancellation) {
        const at = event.tau + 0.01 + MEAN_CANCELLATION_DELAY * sampleExponential(contents);
        if (at < end) queue.push({ tau: at, kind: CANCELLATION, customer: i, cancellation });
      }
      const schedule = (schedules[i] ??= scheduleRng(options.seed, i));
      const next = nextPurchase(population, i, event.tau, schedule, end);
      if (next === null) schedules[i] = undefined;
      else queue.push({ tau: next, kind: PURCHASE, customer: i });
    }
    invoice.invoiceNo = String(invoiceNo++);
    invoice.lineCount = lineCount;
    invoice.product = buffer.product;
    invoice.quantity = buffer.quantity;
    invoice.unitPrice = buffer.unitPrice;
    yield invoice;
  }
}

/** Generated transactions in the Online Retail schema, in time order, one row at a time. */
export function* generateTransactions(options: GeneratorOptions): Generator<Transaction> {
  const plan = planDataset(options);
  const { catalogue } = plan;
  for (const invoice of generateInvoices(plan)) {
    for (let line = 0; line < invoice.lineCount; line++) {
      const product = invoice.product[line]!;
      yield {
        invoiceNo: invoice.invoiceNo,
        stockCode: catalogue.stockCodes[product]!,
        description: catalogue.descriptions[product]!,
        quantity: invoice.quantity[line]!,
        invoiceDate: new Date(invoice.moment.epochMs),
        unitPrice: invoice.unitPrice[line]!,
        customerId: invoice.customerId,
        country: invoice.country,
      };
    }
  }
}
