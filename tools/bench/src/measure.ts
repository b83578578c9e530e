/** Wall time and the process's peak resident memory so far, around one benchmark stage. */
export async function measure<T>(run: () => Promise<T> | T): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  const start = process.hrtime.bigint();
  const result = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // maxRSS is the high-water mark of the whole process (KiB); stages run in order, so each
  // figure is the peak reached up to the end of that stage.
  return { result, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** Prints rows as an aligned text table. */
export function printTable(header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  for (const [index, row] of cells.entries()) {
    console.log(row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** A figure for a table: thousands separated from 1,000, one decimal from 10, else two; "-" when not finite. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
