import type { z } from 'zod';
import { ConfigurationError, InvalidEventError } from './errors';

/** Parses configuration from environment variables; ConfigurationError names the variable at fault. */
export function parseConfiguration<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigurationError(String(issue.path[0] ?? '(environment)'), issue.message);
}

/** Parses a pipeline step's input; InvalidEventError names the step and the field at fault. */
export function parseStepInput<S extends z.ZodType>(step: string, schema: S, event: unknown): z.output<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidEventError(step, issue.path.join('.') || '(root)', issue.message);
}
