import { describe, expect, it } from 'vitest';
import { TaskPool } from './task-pool';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('TaskPool', () => {
  it('never runs more than its limit at once and runs every task', async () => {
    const pool = new TaskPool(3);
    let running = 0;
    let peak = 0;
    let done = 0;
    for (let i = 0; i < 20; i++) {
      await pool.submit(async () => {
        peak = Math.max(peak, ++running);
        await tick();
        running--;
        done++;
      });
    }
    await pool.drain();
    expect(peak).toBe(3);
    expect(done).toBe(20);
  });

  it('stops starting tasks after the first failure and reports it', async () => {
    const pool = new TaskPool(2);
    let started = 0;
    const submitAll = async () => {
      for (let i = 0; i < 10; i++) {
        await pool.submit(async () => {
          started++;
          await tick();
          if (i === 1) throw new Error('write failed');
        });
      }
    };
    await expect(submitAll()).rejects.toThrow('write failed');
    await pool.settle();
    expect(started).toBeLessThan(10);
    await expect(pool.drain()).rejects.toThrow('write failed');
  });
});
