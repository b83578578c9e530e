import { describe, expect, it } from 'vitest';
import { modelNameFor } from './handler';

describe('modelNameFor', () => {
  it('is deterministic and within SageMaker naming rules', () => {
    const long = 'nextbuy-online-retail-2026-11-26-07-05-00-123-with-a-very-long-suffix';
    expect(modelNameFor(long)).toBe(modelNameFor(long));
    expect(modelNameFor(long)).toMatch(/^[a-zA-Z0-9-]{1,63}$/);
    expect(modelNameFor('job_1')).toBe('job-1-model');
    expect(modelNameFor(long + 'a')).not.toBe(modelNameFor(long + 'b'));
  });
});
