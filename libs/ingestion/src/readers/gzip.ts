import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** True for the two magic bytes every gzip member starts with. */
function isGzip(chunk: Uint8Array): boolean {
  return chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
}

/** `first`, then the rest of an iterator whose first chunk(s) were already read, closing it when the consumer stops. */
export async function* prepended(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield first;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    // A consumer that stops early must close the source (a file handle, an HTTP body).
    await rest.return?.();
  }
}

/**
 * The bytes of a source, gunzipped when they are gzip. Decided by content rather than by a `.gz`
 * name, because S3 objects and streams have no trustworthy name. A truncated or corrupt gzip
 * stream throws zlib's error (`code` Z_BUF_ERROR or Z_DATA_ERROR) when its end is reached.
 */
export async function* decompressed(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  if (!isGzip(first.value)) {
    yield* prepended(first.value, iterator);
    return;
  }
  const gunzip = createGunzip();
  const piping = pipeline(Readable.from(prepended(first.value, iterator)), gunzip);
  // An error on either side ends the loop below with that error; this only keeps the pipeline's
  // own rejection from going unhandled. A consumer that stops early destroys gunzip, and the
  // pipeline then closes the source.
  piping.catch(() => undefined);
  for await (const chunk of gunzip) yield chunk as Uint8Array;
  await piping;
}
