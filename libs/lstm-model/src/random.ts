// The workspace's seeded generator (mulberry32) and normal draws: weight initialisation, the
// validation split, shuffling and dropout all draw from it, so one `seed` replays a whole
// training run (Math.random cannot be seeded).
import type { Rng } from '@nextbuy/datagen';

export { createRng, sampleNormal, type Rng } from '@nextbuy/datagen';

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
