import { createHash } from 'node:crypto';

/**
 * The SageMaker model name for a training job: deterministic, so a retried step finds the model
 * it already created. SageMaker names allow 63 characters of [a-zA-Z0-9-].
 */
export function modelNameFor(trainingJobName: string): string {
  const cleaned = trainingJobName.replace(/[^a-zA-Z0-9-]/g, '-');
  if (cleaned.length <= 57) return `${cleaned}-model`;
  const hash = createHash('sha256').update(trainingJobName).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, 48)}-${hash}-model`;
}

/** CreateModel step input (the finished training job) and output (the model's name). */
export async function handler(event: { trainingJobName: string }): Promise<{ modelName: string }> {
  if (typeof event?.trainingJobName !== 'string' || event.trainingJobName.length === 0) {
    throw new Error('invalid CreateModel input at "trainingJobName": expected the training job name');
  }
  return { modelName: modelNameFor(event.trainingJobName) };
}
