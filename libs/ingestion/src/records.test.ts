import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalHint, numberFromDecimalCommaText, plainDecimal } from './records';

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

describe('numbers with a decimal comma', () => {
  it('reads a decimal comma, with points grouping thousands in threes', () => {
    const cases: Array<[string, number]> = [['1,5', 1.5], ['-1.234,50', -1234.5], ['1234,5', 1234.5], ['12', 12], [' 3,25 ', 3.25], ['1.234.567', 1234567], ['0,1', 0.1]];
    for (const [text, value] of cases) expect(numberFromDecimalCommaText(text), text).toBe(value);
  });
  it('refuses what is not one, a point that is not a thousands group included', () => {
    for (const text of ['1.5', '1,2,3', '12.34,5', '', ',5', '1,', 'x', '1e3', '1.234,5.6']) expect(numberFromDecimalCommaText(text), text).toBeNaN();
  });
  it('hints at it where points are expected, and only there', () => {
    expect(decimalHint('1,5', 'point')).toBe('; it has a decimal comma: set the mapping\'s "decimalSeparator" to "comma"');
    expect(decimalHint('1,5', 'comma')).toBe('');
    expect(decimalHint('abc', 'point')).toBe('');
    expect(decimalHint('1.5', 'point')).toBe('');
    expect(decimalHint('1,000', 'point')).toMatch(/^; if its comma is a decimal comma, .*grouped in thousands/);
    expect(decimalHint('1.234,50', 'point')).toMatch(/^; it has a decimal comma/);
  });
});
