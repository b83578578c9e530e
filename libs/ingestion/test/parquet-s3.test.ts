import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputDataError } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOrders, ingest } from '../src/index';
import { queryDuckDb, runDuckDb, transactionsSelect } from './duckdb';
import { temporaryDirectory } from './fixtures';
import { startLoopbackS3, type LoopbackS3 } from './s3-server';

const BUCKET = 'lake';
const ROWS = 12_000;
let s3: LoopbackS3;
let directory: { path: string; remove: () => Promise<void> };
const at = (name: string) => join(directory.path, name);

/** What each GetObject asked for and what the S3 server answered, seen on the wire by the client. */
interface Exchange {
  command: string;
  range: string | undefined;
  status: number;
  contentRange: string | undefined;
  bytes: number;
}
let exchanges: Exchange[] = [];

beforeAll(async () => {
  directory = await temporaryDirectory();
  // A wide text column that no mapping reads: a ranged reader never fetches its chunks.
  await runDuckDb(
    `COPY (${transactionsSelect(ROWS, ', repeat(md5(i::VARCHAR), 8) AS Notes')}) TO '${at('wide.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
  );
  s3 = await startLoopbackS3(BUCKET);
  await s3.put('exports/2011/wide.parquet', await readFile(at('wide.parquet')));
  await s3.put('exports/2011/truncated.parquet', (await readFile(at('wide.parquet'))).subarray(0, 100_000));
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const request = args.request as { headers: Record<string, string> };
      const response = result.response as { statusCode: number; headers: Record<string, string> };
      exchanges.push({
        command: context.commandName as string,
        range: request.headers.range,
        status: response.statusCode,
        contentRange: response.headers['content-range'],
        bytes: Number(response.headers['content-length'] ?? 0),
      });
      return result;
    },
    { step: 'deserialize', name: 'recordExchanges' },
  );
});

afterAll(async () => {
  await s3?.close();
  await directory.remove();
});

describe('Parquet from s3://', () => {
  it('gives the same orders and report as the local file, fetching only the mapped columns by ranged GETs', async () => {
    exchanges = [];
    const remote = await ingest(`s3://${BUCKET}/exports/2011/wide.parquet`, { s3Client: s3.client });
    const local = await ingest(at('wide.parquet'));
    expect(remote.report.source).toBe('s3://lake/exports/2011/wide.parquet');
    expect({ ...remote.report, source: '' }).toEqual({ ...local.report, source: '' });
    expect(fingerprintOrders(remote.orders)).toEqual(fingerprintOrders(local.orders));

    const size = (await readFile(at('wide.parquet'))).length;
    const gets = exchanges.filter((exchange) => exchange.command === 'GetObjectCommand');
    expect(exchanges.filter((exchange) => exchange.command === 'HeadObjectCommand')).toHaveLength(1);
    const spans = gets.map((get) => {
      // Every read a range, answered by the server as that range (206, Content-Range, its length).
      expect(get.status).toBe(206);
      const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(get.range ?? '')!;
      expect(get.contentRange).toBe(`bytes ${first}-${last}/${size}`);
      expect(get.bytes).toBe(Number(last) - Number(first) + 1);
      return [Number(first), Number(last)] as const;
    });
    // First the footer at the end of the object, then one read per row group of the mapped
    // columns' chunks: never a byte of Notes, the unmapped column that is most of the file.
    const [footer, ...columnReads] = spans;
    expect(footer![1]).toBe(size - 1);
    const chunks = (await queryDuckDb(
      `SELECT row_group_id, coalesce(nullif(dictionary_page_offset, 0), data_page_offset), total_compressed_size, path_in_schema = 'Notes'
       FROM parquet_metadata('${at('wide.parquet')}')`,
    )) as [bigint, bigint, bigint, boolean][];
    const groups = new Set(chunks.map(([group]) => group)).size;
    expect(groups).toBeGreaterThan(3);
    expect(columnReads).toHaveLength(groups);
    const notes = chunks.filter(([, , , isNotes]) => isNotes).map(([, offset, bytes]) => [Number(offset), Number(offset + bytes) - 1] as const);
    const notesBytes = notes.reduce((sum, [first, last]) => sum + last - first + 1, 0);
    expect(notesBytes).toBeGreaterThan(size / 2);
    for (const [first, last] of columnReads) {
      expect(notes.filter(([start, end]) => first <= end && start <= last)).toEqual([]);
    }
    expect(columnReads.reduce((sum, [first, last]) => sum + last - first + 1, 0)).toBeLessThan(size - notesBytes);
  });

  it("reads an object of any name as Parquet by its PAR1 magic, as Athena's UNLOAD names them, alone or in a prefix", async () => {
    const bytes = await readFile(at('wide.parquet'));
    await s3.put('unload/20111230_104512_00017_abcde_1b2c', bytes);
    await s3.put('unload/20111230_104512_00017_abcde_9f8e', bytes);
    const local = await ingest(at('wide.parquet'));
    exchanges = [];
    const remote = await ingest(`s3://${BUCKET}/unload/20111230_104512_00017_abcde_1b2c`, { s3Client: s3.client });
    expect({ ...remote.report, source: '' }).toEqual({ ...local.report, source: '' });
    expect(fingerprintOrders(remote.orders)).toEqual(fingerprintOrders(local.orders));
    // One plain GET, left after its first chunk; then the ranged reads of the Parquet reader.
    const gets = exchanges.filter((exchange) => exchange.command === 'GetObjectCommand');
    expect(gets[0]!.range).toBeUndefined();
    expect(gets.slice(1).every((get) => get.status === 206)).toBe(true);
    // Two parts of one export under a prefix: every row twice, every order's lines doubled.
    const folder = await ingest(`s3://${BUCKET}/unload/`, { s3Client: s3.client });
    expect(folder.report.rowsRead).toBe(2 * local.report.rowsRead);
    expect(folder.report.files?.map((file) => file.source)).toEqual([
      's3://lake/unload/20111230_104512_00017_abcde_1b2c',
      's3://lake/unload/20111230_104512_00017_abcde_9f8e',
    ]);
    expect(Array.from(folder.orders.lines)).toEqual(Array.from(local.orders.lines, (lines) => 2 * lines));
  });

  it('names the object of a missing key and of a truncated file', async () => {
    const missing = await ingest(`s3://${BUCKET}/exports/2011/nothing.parquet`, { s3Client: s3.client }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(InputDataError);
    expect((missing as Error).message).toBe('s3://lake/exports/2011/nothing.parquet: no such S3 object (NotFound); to read every object under a prefix as one source, end the URI with /');
    await expect(ingest(`s3://${BUCKET}/exports/2011/truncated.parquet`, { s3Client: s3.client })).rejects.toThrow(
      /^s3:\/\/lake\/exports\/2011\/truncated.parquet: the Parquet file is truncated or corrupt: its footer cannot be read/,
    );
  });
});
