import { predictionRecordSchema, type PredictionRecord } from '@nextbuy/contracts';

export type ParsedLine = { ok: true; record: PredictionRecord } | { ok: false; line: number; reason: string };

/** Parses one line of batch transform output; a bad line is reported with its number, never dropped. */
export function parsePredictionLine(text: string, line: number): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, line, reason: 'not JSON' };
  }
  const result = predictionRecordSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { ok: false, line, reason: `field "${issue.path.join('.')}": ${issue.message}` };
  }
  return { ok: true, record: result.data };
}

/** Validates transform output lines; returns the valid records and every rejected line. */
export async function handler(event: { lines: string[] }): Promise<{ valid: number; rejected: Array<{ line: number; reason: string }> }> {
  const parsed = (event?.lines ?? []).map((text, i) => parsePredictionLine(text, i + 1));
  return {
    valid: parsed.filter((p) => p.ok).length,
    rejected: parsed.flatMap((p) => (p.ok ? [] : [{ line: p.line, reason: p.reason }])),
  };
}
