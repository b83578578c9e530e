import { z } from 'zod';

/** The Extract state's input: which dataset, and optionally which dates. */
export const extractEventSchema = z.object({
  dataset: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
  run: z.string().min(1).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});
export type ExtractEvent = z.infer<typeof extractEventSchema>;

export function parseExtractEvent(event: unknown): ExtractEvent {
  const result = extractEventSchema.safeParse(event);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`invalid Extract input at "${issue.path.join('.') || '(root)'}": ${issue.message}`);
  }
  return result.data;
}

export async function handler(event: unknown): Promise<ExtractEvent> {
  return parseExtractEvent(event);
}
