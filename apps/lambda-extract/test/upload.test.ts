import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadText } from '../src/upload';
import { startS3, type LocalS3 } from '@nextbuy/local-aws';

const BUCKET = 'nextbuy-data';
let server: LocalS3;

beforeAll(async () => {
  server = await startS3([BUCKET]);
});

afterAll(async () => {
  await server?.stop();
});

/** About `megabytes` MB of lines that gzip barely compresses (base64 of random bytes). */
function* randomLines(megabytes: number): Generator<string> {
  for (let i = 0; i < megabytes * 16; i++) {
    yield `${randomBytes(48 * 1024).toString('base64').replace(/(.{76})/g, '$1\n')}\n`;
  }
}

async function objectBytes(s3: S3Client, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** A client whose first request of `command` for a given part fails as S3 does when it has a bad moment. */
function clientFailingOnce(match: (commandName: string, input: Record<string, unknown>) => boolean) {
  const s3 = server.client();
  const calls: string[] = [];
  let failed = false;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      calls.push(`${context.commandName}${input.PartNumber ? `#${input.PartNumber}` : ''}`);
      if (!failed && match(context.commandName ?? '', input)) {
        failed = true;
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
          name: 'InternalError',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    // Inside the retry loop, as a failed HTTP response would be.
    { step: 'deserialize', name: 'failOncePerMatch' },
  );
  return { s3, calls, failed: () => failed };
}

describe('uploadText', () => {
  it('streams a multipart gzip upload that survives a part failing once', async () => {
    const lines = [...randomLines(12)];
    const { s3, calls, failed } = clientFailingOnce((command, input) => command === 'UploadPartCommand' && input.PartNumber === 2);

    await uploadText(s3, { bucket: BUCKET, key: 'big/transactions.csv.gz', contentType: 'application/gzip' }, lines, { gzip: true });

    expect(failed()).toBe(true);
    expect(calls.filter((call) => call === 'UploadPartCommand#2')).toHaveLength(2);
    expect(calls).toContain('CompleteMultipartUploadCommand');
    const stored = gunzipSync(await objectBytes(s3, 'big/transactions.csv.gz'));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(lines.join('')).digest('hex'));
    s3.destroy();
  });

  it('writes a small object with one request, retried once', async () => {
    const { s3, calls } = clientFailingOnce((command) => command === 'PutObjectCommand');

    await uploadText(s3, { bucket: BUCKET, key: 'small/customers.jsonl', contentType: 'application/jsonlines' }, ['{"a":1}\n', '{"a":2}\n'], { gzip: false });

    expect(calls).toEqual(['PutObjectCommand', 'PutObjectCommand']);
    expect((await objectBytes(s3, 'small/customers.jsonl')).toString()).toBe('{"a":1}\n{"a":2}\n');
    s3.destroy();
  });

  it('stops and leaves no object when the source fails', async () => {
    const s3 = server.client();
    async function* failingSource(): AsyncGenerator<string> {
      yield* randomLines(7);
      throw new Error('connection to the source database lost');
    }

    const failure = uploadText(s3, { bucket: BUCKET, key: 'broken/transactions.csv.gz', contentType: 'application/gzip' }, failingSource(), { gzip: true });

    await expect(failure).rejects.toThrow('connection to the source database lost');
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'broken/transactions.csv.gz' }))).rejects.toMatchObject({ name: 'NotFound' });
    s3.destroy();
  });
});
