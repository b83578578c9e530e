/** A source of uniform numbers on [0, 1). */
export type Rng = () => number;

/**
 * A small seeded generator (mulberry32): weight initialisation, the validation split, shuffling
 * and dropout all draw from it, so one `seed` replays a whole training run (Math.random cannot
 * be seeded, and tfjs's own seeded ops would tie the run to tensor ops we do not otherwise need).
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box-Muller, one of the pair). */
export function sampleNormal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Fisher-Yates shuffle of `items` in place. */
export function shuffle<T extends { length: number; [i: number]: number }>(items: T, rng: Rng): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
