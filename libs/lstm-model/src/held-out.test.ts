import { describe, expect, it } from 'vitest';
import { heldOutCount } from './model';

describe('heldOutCount', () => {
  it('holds out the share of a large base', () => {
    expect(heldOutCount(3000, 0.1)).toBe(300);
    expect(heldOutCount(23570, 0.1)).toBe(2357);
    expect(heldOutCount(1000, 0.1)).toBe(100);
  });

  it('raises the share to 100 customers on a small base, at most a third of them', () => {
    expect(heldOutCount(500, 0.1)).toBe(100);
    expect(heldOutCount(999, 0.1)).toBe(100);
    expect(heldOutCount(240, 0.1)).toBe(80);
    expect(heldOutCount(60, 0.1)).toBe(20);
    // A share above the floor is kept.
    expect(heldOutCount(500, 0.3)).toBe(150);
  });

  it('holds out none when the share is 0 or there is one customer, and keeps one customer to train on', () => {
    expect(heldOutCount(500, 0)).toBe(0);
    expect(heldOutCount(1, 0.5)).toBe(0);
    expect(heldOutCount(2, 0.1)).toBe(1);
    expect(heldOutCount(3, 0.9)).toBe(2);
  });
});
