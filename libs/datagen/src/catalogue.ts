import { createRng, cumulativeWeights, sampleNormal, type Rng } from '@nextbuy/random';

/** Products as parallel columns; index `postage` is the POST line of foreign orders. */
export interface Catalogue {
  size: number;
  stockCodes: readonly string[];
  descriptions: readonly string[];
  unitPrices: Float64Array;
  /** Units an item is usually bought in (a pack of 12 napkins sells 12, 24, ...). */
  packSizes: Int32Array;
  /** Popularity (Zipf-like) for sampleCumulative; the postage entry weighs nothing. */
  popularity: Float64Array;
  postage: number;
}

/** Item kinds with Online Retail-like price levels (GBP) and pack sizes. */
const ITEMS: readonly (readonly [string, number, number])[] = [
  ['T-LIGHT HOLDER', 2.95, 6], ['LUNCH BAG', 1.65, 10], ['JUMBO BAG', 2.08, 10], ['MUG', 1.25, 12],
  ['CAKE CASES', 0.55, 24], ['PAPER NAPKINS', 0.85, 12], ['CAKESTAND', 10.95, 2], ['DOORMAT', 7.95, 2],
  ['CUSHION COVER', 3.75, 4], ['HOT WATER BOTTLE', 4.95, 4], ['GIFT WRAP', 0.42, 25], ['STICKER SHEET', 0.85, 12],
  ['NOTEBOOK', 1.65, 12], ['CHILDRENS APRON', 1.95, 8], ['TEA TOWEL', 1.25, 6], ['ALARM CLOCK', 3.75, 4],
  ['LANTERN', 4.25, 4], ['BUNTING', 2.95, 6], ['METAL SIGN', 2.1, 12], ['PHOTO FRAME', 2.55, 6],
  ['WATER BOTTLE', 3.39, 6], ['BAKING SET', 4.95, 3], ['PARTY CUPS', 0.65, 12], ['PAPER PLATES', 0.85, 12],
  ['PILLAR CANDLE', 1.25, 12], ['STORAGE TIN', 3.75, 6], ['COIN PURSE', 2.1, 6], ['UMBRELLA', 4.95, 4],
  ['HANGING DECORATION', 0.85, 12], ['SNOW GLOBE', 3.75, 6], ['JAM JAR', 1.65, 12], ['TRINKET BOX', 1.25, 12],
  ['PLAYING CARDS', 1.25, 12], ['HAND WARMER', 2.1, 12], ['CHALKBOARD', 4.95, 4], ['BIRD HOUSE', 6.75, 2],
  ['SHOPPER BAG', 1.25, 10], ['TISSUES', 0.39, 24], ['PENCILS', 0.29, 48], ['WALL CLOCK', 8.5, 2],
];
const MOTIFS = [
  'RED RETROSPOT', 'POLKADOT', 'VINTAGE DOILY', 'REGENCY', 'SPACEBOY', 'DOLLY GIRL', 'WOODLAND', 'PAISLEY PARK',
  'SKULLS', 'STRAWBERRY', 'HEART', 'BIRDS', 'ENGLISH ROSE', 'DAISY', 'LOVEBIRD', 'SPOTTY', 'GINGHAM', 'UNION JACK',
  'PANTRY', 'JAM MAKING', 'VINTAGE CHRISTMAS', 'CIRCUS PARADE', 'TOADSTOOL', 'FAIRY CAKE', 'ANTIQUE', 'FLORAL',
  'SWALLOW', 'HANGING HEART', 'BAROQUE', 'LEAF', 'DINOSAUR', 'ALPHABET',
];
const COLOURS = ['', 'PINK', 'WHITE', 'BLUE', 'RED', 'GREEN', 'IVORY', 'BLACK', 'PASTEL', 'SILVER', 'GOLD', 'ASSORTED COLOUR'];
/** Online Retail's price points; generated prices snap to them. */
const PRICE_POINTS = [
  0.19, 0.29, 0.39, 0.42, 0.55, 0.65, 0.72, 0.79, 0.85, 0.95, 1.25, 1.45, 1.65, 1.85, 2.1, 2.46, 2.55, 2.95, 3.25,
  3.75, 4.25, 4.95, 5.95, 6.75, 7.95, 8.5, 9.95, 10.95, 12.75, 14.95, 16.95, 18, 24.95, 29.95, 35, 39.95, 49.95,
];

function nearestPricePoint(price: number): number {
  let best = PRICE_POINTS[0]!;
  for (const point of PRICE_POINTS) if (Math.abs(Math.log(point / price)) < Math.abs(Math.log(best / price))) best = point;
  return best;
}

function describe(rng: Rng, colour: string, motif: string, item: string): string {
  const u = rng();
  // A few descriptions carry a comma, as Online Retail's do, so CSV quoting is exercised.
  if (u < 0.04) return `${item} , ${[colour, motif].filter(Boolean).join(' ')}`;
  if (u < 0.1) return `SET OF 3 ${[colour, motif, item].filter(Boolean).join(' ')}`;
  return [colour, motif, item].filter(Boolean).join(' ');
}

/** A seeded catalogue of `size` distinct products (5-digit stock codes, some with a letter). */
export function createCatalogue(seed: number, size = 3_000): Catalogue {
  const rng = createRng(seed);
  const combinations = ITEMS.length * MOTIFS.length * COLOURS.length;
  const order = Int32Array.from({ length: combinations }, (_, i) => i);
  // Partial Fisher-Yates: the first `size` entries become distinct random combinations.
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rng() * (combinations - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const stockCodes: string[] = [];
  const descriptions: string[] = [];
  const unitPrices = new Float64Array(size + 1);
  const packSizes = new Int32Array(size + 1);
  const weights = new Float64Array(size + 1);
  let code = 20_000;
  for (let p = 0; p < size; p++) {
    const combination = order[p]!;
    const [item, basePrice, pack] = ITEMS[combination % ITEMS.length]!;
    const motif = MOTIFS[Math.floor(combination / ITEMS.length) % MOTIFS.length]!;
    const colour = COLOURS[Math.floor(combination / (ITEMS.length * MOTIFS.length))]!;
    code += 1 + Math.floor(rng() * 20);
    stockCodes.push(rng() < 0.15 ? `${code}${'ABCDE'[Math.floor(rng() * 5)]}` : String(code));
    const description = describe(rng, colour, motif, item);
    descriptions.push(description);
    const isSet = description.startsWith('SET OF 3');
    unitPrices[p] = nearestPricePoint(basePrice * (isSet ? 2.5 : 1) * Math.exp(0.25 * sampleNormal(rng)));
    packSizes[p] = rng() < 0.35 ? pack : 1;
    // Zipf over a random popularity rank: a few best sellers, a long tail.
    weights[p] = 1 / (10 + Math.floor(rng() * size));
  }
  stockCodes.push('POST');
  descriptions.push('POSTAGE');
  unitPrices[size] = 18;
  packSizes[size] = 1;
  return { size: size + 1, stockCodes, descriptions, unitPrices, packSizes, popularity: cumulativeWeights(weights), postage: size };
}
