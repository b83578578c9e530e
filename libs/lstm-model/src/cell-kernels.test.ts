import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations.
import { assemble } from '../scripts/build-kernels.mjs';
import { CellKernels } from './cell-kernels';

describe('the cell kernels (cell-kernels.wat)', () => {
  it('ship as the binary their source assembles to', () => {
    const committed = readFileSync(new URL('./cell-kernels.wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe((assemble as () => string)());
  });

  it('compute gates and states as float64 math does, across the whole range and in every lane of a partial chunk', () => {
    const kernels = new CellKernels();
    // 3 rows of H = 6 units (a full chunk and a partial one per gate), the second row padded at t = 0.
    const B = 3;
    const H = 6;
    const G = 4 * H;
    const zx = kernels.floats(B * G);
    const zh = kernels.floats(B * G);
    const cPrev = kernels.floats(B * H);
    const start = kernels.ints(B);
    const [gates, cell, tanhCell, hidden] = [kernels.floats(B * G), kernels.floats(B * H), kernels.floats(B * H), kernels.floats(B * H)];
    const extremes = [-200, -87.5, -30, -5, -0.3, -1e-4, 0, 1e-4, 0.3, 5, 30, 87.5, 200];
    zx.view.forEach((_, i) => (zx.view[i] = extremes[i % extremes.length]! * (i % 2 ? 1 : 0.37)));
    zh.view.forEach((_, i) => (zh.view[i] = 0.01 * (i % 7) - 0.03));
    cPrev.view.forEach((_, i) => (cPrev.view[i] = Math.sin(i)));
    start.view.set([0, 2, 1]);
    gates.view.fill(9);
    kernels.forward(zx.ptr, zh.ptr, cPrev.ptr, start.ptr, 1, B, H, gates.ptr, cell.ptr, tanhCell.ptr, hidden.ptr);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const at = b * H + j;
        if (b === 1) {
          // t = 1 < start = 2: padding, all zero.
          expect([gates.view[b * G + j], cell.view[at], tanhCell.view[at], hidden.view[at]]).toEqual([0, 0, 0, 0]);
          continue;
        }
        const z = (k: number) => zx.view[b * G + k * H + j]! + zh.view[b * G + k * H + j]!;
        const [i, f, g, o] = [sigmoid(z(0)), sigmoid(z(1)), Math.tanh(z(2)), sigmoid(z(3))];
        const c = f * cPrev.view[at]! + i * g;
        expect(gates.view[b * G + j]).toBeCloseTo(i, 6);
        expect(gates.view[b * G + H + j]).toBeCloseTo(f, 6);
        expect(gates.view[b * G + 2 * H + j]).toBeCloseTo(g, 6);
        expect(gates.view[b * G + 3 * H + j]).toBeCloseTo(o, 6);
        expect(cell.view[at]).toBeCloseTo(c, 6);
        expect(tanhCell.view[at]).toBeCloseTo(Math.tanh(c), 6);
        expect(hidden.view[at]).toBeCloseTo(o * Math.tanh(c), 6);
      }
    }
    // Relative accuracy of sigmoid in its far tail (where 1 - sigmoid rounds away in float32).
    zx.view.fill(-80);
    kernels.forward(zx.ptr, 0, 0, start.ptr, 0, 1, H, gates.ptr, cell.ptr, tanhCell.ptr, hidden.ptr);
    expect(gates.view[0]! / sigmoid(-80)).toBeCloseTo(1, 5);
  });

  it('transpose any shape, leftover rows and columns included', () => {
    const kernels = new CellKernels();
    for (const [rows, cols] of [[1, 1], [4, 4], [7, 12], [9, 5], [130, 24]] as const) {
      const src = kernels.floats(rows * cols);
      const dst = kernels.floats(rows * cols);
      src.view.forEach((_, i) => (src.view[i] = i + 0.5));
      kernels.transpose(src.ptr, rows, cols, dst.ptr);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(dst.view[c * rows + r]).toBe(src.view[r * cols + c]);
      kernels.reset();
    }
  });

  it('keep every array readable after the memory grows', () => {
    const kernels = new CellKernels();
    const first = kernels.floats(8);
    first.view.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const big = kernels.floats(4_000_000);
    expect(big.view.length).toBe(4_000_000);
    expect(Array.from(first.view)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
