import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createRng } from '@nextbuy/random';

const WORDS = ['WHITE', 'HANGING', 'HEART', 'T-LIGHT', 'HOLDER', 'CREAM', 'CUPID', 'HEARTS', 'COAT', 'HANGER', 'KNITTED', 'UNION', 'FLAG', 'HOT', 'WATER', 'BOTTLE', 'RED', 'WOOLLY', 'HOTTIE', 'SET', 'OF', 'BABUSHKA', 'NESTING', 'BOXES', 'GLASS', 'STAR', 'FROSTED', 'LANTERN', 'VINTAGE', 'JUMBO', 'BAG', 'PINK', 'POLKADOT', 'LUNCH', 'BOX', 'REGENCY', 'CAKESTAND', 'TIERS', 'PARTY', 'BUNTING', 'ASSORTED', 'COLOUR', 'BIRD', 'ORNAMENT'];
const COUNTRIES = ['France', 'Germany', 'EIRE', 'Spain', 'Netherlands', 'Belgium', 'Switzerland', 'Portugal', 'Australia', 'Norway'];

/**
 * Writes (once, then reuses) a seeded file shaped like the UCI Online Retail CSV: ~540k lines,
 * ~40 MB, about 25% of rows without a customer, ~2% cancellations, a few zero prices, and
 * descriptions with commas (quoted). Returns its path.
 */
export async function onlineRetailFile(rows = 540_000): Promise<string> {
  const directory = join(tmpdir(), 'nextbuy-ingestion-bench');
  const path = join(directory, `online-retail-${rows}.csv`);
  if (existsSync(path)) return path;
  await mkdir(directory, { recursive: true });
  const next = createRng(20101201);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const products = Array.from({ length: 3_700 }, (_, index) => {
    const words = Array.from({ length: 2 + Math.floor(next() * 4) }, () => pick(WORDS));
    const description = next() < 0.03 ? `"${words.slice(0, 2).join(' ')}, ${words.slice(2).join(' ')}"` : words.join(' ');
    return { code: `${20_000 + index}${next() < 0.2 ? 'B' : ''}`, description, price: (Math.floor(next() * 1_000) + 10) / 100 };
  });
  const customers = Array.from({ length: 4_372 }, (_, index) => ({
    id: String(12_346 + index),
    country: next() < 0.9 ? 'United Kingdom' : pick(COUNTRIES),
  }));
  const out = createWriteStream(`${path}.partial`);
  out.write('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n');
  const start = Date.UTC(2010, 11, 1, 8, 0);
  const span = Date.UTC(2011, 11, 9, 12, 50) - start;
  let written = 0;
  for (let invoice = 536_365; written < rows; invoice++) {
    const guest = next() < 0.25;
    const customer = pick(customers);
    const cancelled = !guest && next() < 0.02;
    const time = new Date(start + Math.floor((next() * span) / 60_000) * 60_000);
    const stamp = `${time.getUTCMonth() + 1}/${time.getUTCDate()}/${time.getUTCFullYear()} ${time.getUTCHours()}:${String(time.getUTCMinutes()).padStart(2, '0')}`;
    const lines = Math.min(rows - written, 1 + Math.floor(-Math.log(1 - next()) * 20));
    let chunk = '';
    for (let line = 0; line < lines; line++) {
      const product = pick(products);
      const quantity = (1 + Math.floor(-Math.log(1 - next()) * 8)) * (cancelled ? -1 : 1);
      const price = next() < 0.003 ? 0 : product.price;
      chunk += `${cancelled ? 'C' : ''}${invoice},${product.code},${product.description},${quantity},${stamp},${price},${guest ? '' : customer.id},${customer.country}\n`;
    }
    written += lines;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(`${path}.partial`, path);
  return path;
}
