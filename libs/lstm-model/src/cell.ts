/**
 * The element-wise algebra of an LSTM cell for one time step of a batch, on plain arrays. The
 * matrix products and sigmoids around it run as tensor ops (see network.ts); these loops are
 * small and monomorphic so V8 compiles them tightly. Gate order is Keras's: i, f, c~, o, each
 * H wide, so a batch row of gates is 4H long. Rows `b` with `t < start[b]` are padding: their
 * state stays zero and no gradient flows through them.
 */

/**
 * From the sigmoids `s` of the pre-activations (the candidate's doubled, so 2s - 1 = tanh), the
 * gates and new cell state; `doubledCell` gets 2c for the next sigmoid (tanh c = 2 sigmoid(2c) - 1).
 */
export function cellForward(
  s: Float32Array,
  previousCell: Float32Array | undefined,
  start: Int32Array,
  t: number,
  B: number,
  H: number,
  gates: Float32Array,
  cell: Float32Array,
  doubledCell: Float32Array,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const row = b * G;
    const unit = b * H;
    if (t < start[b]!) {
      gates.fill(0, row, row + G);
      cell.fill(0, unit, unit + H);
      doubledCell.fill(0, unit, unit + H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const i = s[row + j]!;
      const f = s[row + H + j]!;
      const g = 2 * s[row + 2 * H + j]! - 1;
      const o = s[row + 3 * H + j]!;
      const c = previousCell === undefined ? i * g : f * previousCell[unit + j]! + i * g;
      gates[row + j] = i;
      gates[row + H + j] = f;
      gates[row + 2 * H + j] = g;
      gates[row + 3 * H + j] = o;
      cell[unit + j] = c;
      doubledCell[unit + j] = 2 * c;
    }
  }
}

/**
 * h = o tanh(c) from the sigmoids of 2c; also writes h into the next step's input rows
 * (`next`, `width` wide, h at column `column`) when there is a next step.
 */
export function cellOutput(
  sigmoidOfDoubledCell: Float32Array,
  gates: Float32Array,
  B: number,
  H: number,
  tanhCell: Float32Array,
  hidden: Float32Array,
  next: Float32Array | undefined,
  width: number,
  column: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const unit = b * H;
    const o = b * G + 3 * H;
    const to = b * width + column;
    for (let j = 0; j < H; j++) {
      const tc = 2 * sigmoidOfDoubledCell[unit + j]! - 1;
      const h = gates[o + j]! * tc;
      tanhCell[unit + j] = tc;
      hidden[unit + j] = h;
      if (next !== undefined) next[to + j] = h;
    }
  }
}

/**
 * Back through one step: from the gradient at h (`dHidden` from above plus `dRecurrent` from
 * the next step) and at c (`dCell`, updated in place to the previous step's), the gradient of
 * the four pre-activations (candidate not doubled: these are the logical weights), summed into
 * `dBias`. It is written twice: `dz` row by row, [B][4H], and transposed into `dzT`, whose rows
 * (one per pre-activation) are `stride` long, this step's batch at column `column`: the weight
 * gradient dz^T U then needs no transpose on the backend.
 */
export function cellBackward(
  gates: Float32Array,
  tanhCell: Float32Array,
  previousCell: Float32Array | undefined,
  dHidden: Float32Array,
  dRecurrent: Float32Array,
  dCell: Float32Array,
  start: Int32Array,
  t: number,
  B: number,
  H: number,
  dz: Float32Array,
  dzT: Float32Array,
  stride: number,
  column: number,
  dBias: Float32Array,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const row = b * G;
    const unit = b * H;
    const at = column + b;
    if (t < start[b]!) {
      dz.fill(0, row, row + G);
      for (let k = 0; k < G; k++) dzT[k * stride + at] = 0;
      continue;
    }
    for (let j = 0; j < H; j++) {
      const i = gates[row + j]!;
      const f = gates[row + H + j]!;
      const g = gates[row + 2 * H + j]!;
      const o = gates[row + 3 * H + j]!;
      const tc = tanhCell[unit + j]!;
      const dh = dHidden[unit + j]! + dRecurrent[unit + j]!;
      const dc = dCell[unit + j]! + dh * o * (1 - tc * tc);
      const previous = previousCell === undefined ? 0 : previousCell[unit + j]!;
      const di = dc * g * i * (1 - i);
      const df = dc * previous * f * (1 - f);
      const dg = dc * i * (1 - g * g);
      const dO = dh * tc * o * (1 - o);
      dz[row + j] = di;
      dz[row + H + j] = df;
      dz[row + 2 * H + j] = dg;
      dz[row + 3 * H + j] = dO;
      dzT[j * stride + at] = di;
      dzT[(H + j) * stride + at] = df;
      dzT[(2 * H + j) * stride + at] = dg;
      dzT[(3 * H + j) * stride + at] = dO;
      dBias[j]! += di;
      dBias[H + j]! += df;
      dBias[2 * H + j]! += dg;
      dBias[3 * H + j]! += dO;
      dCell[unit + j] = dc * f;
    }
  }
}
