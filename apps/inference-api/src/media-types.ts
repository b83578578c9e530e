import { NotAcceptableError, UnsupportedMediaTypeError } from './errors';

/** The media types the server reads and writes. */
export const MEDIA_TYPES = ['text/csv', 'application/json', 'application/jsonlines'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

// Other names clients use for JSON Lines.
const ALIASES = new Map<string, MediaType>([
  ['application/x-jsonlines', 'application/jsonlines'],
  ['application/jsonl', 'application/jsonlines'],
]);

/** The media type of a request body from its `Content-Type`; 415 for anything else. */
export function requestMediaType(contentType: string | undefined): MediaType {
  if (!contentType) throw new UnsupportedMediaTypeError(`no Content-Type; send one of ${MEDIA_TYPES.join(', ')}`);
  const [essence = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const type = (MEDIA_TYPES as readonly string[]).includes(essence) ? (essence as MediaType) : ALIASES.get(essence);
  if (!type) throw new UnsupportedMediaTypeError(`Content-Type "${contentType}" is not supported; send one of ${MEDIA_TYPES.join(', ')}`);
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
    throw new UnsupportedMediaTypeError(`charset "${charset}" is not supported; send UTF-8`);
  }
  return type;
}

/** The response types in order of preference when `Accept` ranks them equal: the request's own type first. */
function responseCandidates(requestType: MediaType): MediaType[] {
  return [requestType, ...MEDIA_TYPES.filter((type) => type !== requestType)];
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part) => {
    const [range = '', ...parameters] = part.split(';').map((p) => p.trim().toLowerCase());
    const [type, subtype] = (ALIASES.get(range) ?? range).split('/');
    if (!type || !subtype) return [];
    const qParameter = parameters.find((p) => p.startsWith('q='));
    const q = qParameter ? Number(qParameter.slice(2)) : 1;
    return Number.isFinite(q) ? [{ type, subtype, q }] : [];
  });
}

/** The q-value `Accept` gives a media type: that of the most specific range matching it (RFC 9110 12.5.1). */
function quality(mediaType: MediaType, ranges: readonly MediaRange[]): number {
  const [type, subtype] = mediaType.split('/');
  let best: MediaRange | undefined;
  let bestSpecificity = -1;
  for (const range of ranges) {
    const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1;
    if (specificity > bestSpecificity) [best, bestSpecificity] = [range, specificity];
  }
  return best?.q ?? 0;
}

/**
 * The response type for an `Accept` header: the acceptable type of highest q, ties going to the
 * request's own type, which also answers `*\/*` or no `Accept`; 406 when none is acceptable.
 * Media-type parameters other than q are ignored (express's negotiation would make
 * `text/csv;header=present` match nothing).
 */
export function responseMediaType(accept: string | undefined, requestType: MediaType): MediaType {
  const candidates = responseCandidates(requestType);
  if (accept === undefined || accept.trim() === '') return requestType;
  const ranges = mediaRanges(accept);
  let chosen: MediaType | undefined;
  let chosenQuality = 0;
  for (const candidate of candidates) {
    const q = quality(candidate, ranges);
    if (q > chosenQuality) [chosen, chosenQuality] = [candidate, q];
  }
  if (!chosen) throw new NotAcceptableError(`cannot answer Accept "${accept}"; the server writes ${candidates.join(', ')}`);
  return chosen;
}

/** `Accept` asks for a header line in CSV output (RFC 4180's `header=present`). */
export function wantsCsvHeader(accept: string | undefined): boolean {
  return accept !== undefined && /text\/csv\s*;[^,]*header\s*=\s*present/i.test(accept);
}
