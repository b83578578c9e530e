import { predictionRecordSchema, type PredictionRecord } from '@nextbuy/contracts';

export type ParsedLine = { ok: true; record: PredictionRecord } | { ok: false; line: number; reason: string };

/** Parses one line of batch transform output; a bad line is reported with its number, never dropped. */
export function parsePredictionLine(text: string, line: number): ParsedLine {
  if (text.trim() === '') return { ok: false, line, reason: 'empty line' };
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
