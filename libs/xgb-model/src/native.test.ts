import { describe, expect, it } from 'vitest';
import { xgboostVersion } from './native';

describe('libxgboost', () => {
  it('loads the real library, version 1.7 or later', () => {
    const [major, minor] = xgboostVersion().split('.').map(Number);
    expect(major! > 1 || (major === 1 && minor! >= 7)).toBe(true);
  });
});
