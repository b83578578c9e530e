import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainDecimal } from './records';

describe('plainDecimal', () => {
  const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

  it('reads every plain decimal of up to 15 digits exactly as +text does', () => {
    const decimal = fc
      .tuple(fc.boolean(), digits(0, 15), fc.option(digits(0, 15)))
      .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}`)
      .filter((text) => /\d/.test(text) && text.replace(/\D/g, '').length <= 15);
    fc.assert(
      fc.property(decimal, (text) => {
        expect(Object.is(plainDecimal(text), +text)).toBe(true);
      }),
      { numRuns: 20_000, seed: 3 },
    );
  });

  it('leaves anything else to +text (NaN), never reading it differently', () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789.-+eExb _,'), maxLength: 20 });
    fc.assert(
      fc.property(text, (value) => {
        const plain = plainDecimal(value);
        if (!Number.isNaN(plain)) expect(Object.is(plain, +value)).toBe(true);
      }),
      { numRuns: 20_000, seed: 4 },
    );
    for (const value of ['', '-', '.', '-.', '1e3', ' 12', '12 ', '+5', '0x1f', '1.2.3', '1234567890123456', 'Infinity']) {
      expect(plainDecimal(value)).toBeNaN();
    }
  });
});
