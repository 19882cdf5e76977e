import { describe, expect, it } from 'vitest';
import { createLimiter, orderedMap } from './concurrency.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createLimiter', () => {
  it('never runs more tasks at once than its concurrency, and runs them all', async () => {
    const limiter = createLimiter(2);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await tick(2);
          running -= 1;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('starts waiting tasks oldest first by default, newest first when asked', async () => {
    for (const newestFirst of [false, true]) {
      const limiter = createLimiter(1, { newestFirst });
      const order: number[] = [];
      await Promise.all([0, 1, 2, 3].map((i) => limiter.run(async () => void order.push(i))));
      expect(order).toEqual(newestFirst ? [0, 3, 2, 1] : [0, 1, 2, 3]);
    }
  });

  it('frees the slot of a task that fails', async () => {
    const limiter = createLimiter(1);
    await expect(
      limiter.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
    expect(limiter.active).toBe(0);
  });
});

describe('orderedMap', () => {
  async function* numbers(n: number) {
    for (let i = 0; i < n; i++) yield i;
  }

  it('yields in source order even when later items finish first', async () => {
    const out: number[] = [];
    for await (const v of orderedMap(numbers(8), 4, async (i) => {
      await tick((8 - i) * 2);
      return i * 10;
    }))
      out.push(v);
    expect(out).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let running = 0;
    let peak = 0;
    for await (const _ of orderedMap(numbers(20), 3, async (i) => {
      running += 1;
      peak = Math.max(peak, running);
      await tick(1);
      running -= 1;
      return i;
    }));
    expect(peak).toBe(3);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const v of orderedMap(source(), 2, async (i) => i)) if (v === 3) break;
    expect(closed).toBe(true);
  });
});
