/** Bounded concurrency for file-system and sharp work, which would otherwise flood the threadpool. */

export interface Limiter {
  /** Runs `task` when a slot is free; waiting tasks start oldest first, or newest first if so made. */
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly queued: number;
}

/**
 * `newestFirst` suits a scrolling grid: the tiles asked for last are the ones on screen now, while
 * those asked for a second ago may have scrolled away.
 */
export function createLimiter(concurrency: number, options: { newestFirst?: boolean } = {}): Limiter {
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, got ${concurrency}`);
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    active -= 1;
    const next = options.newestFirst ? queue.pop() : queue.shift();
    if (next) next();
  };
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          active += 1;
          task().then(resolve, reject).finally(release);
        };
        if (active < concurrency) start();
        else queue.push(start);
      });
    },
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
  };
}

/**
 * Maps an async source with up to `concurrency` calls of `fn` in flight, yielding results in
 * source order, so a scan streams entries in discovery order while stat and header reads overlap.
 * `fn` must not throw for ordinary failures (it returns them as values); a throw ends the map.
 */
export async function* orderedMap<T, R>(source: AsyncIterable<T>, concurrency: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const inFlight: Array<Promise<R>> = [];
  let done = false;
  try {
    for (;;) {
      while (!done && inFlight.length < concurrency) {
        const next = await iterator.next();
        if (next.done) done = true;
        else {
          const p = fn(next.value);
          // Ownership passes to the consumer below; this only stops an early rejection being reported as unhandled.
          p.catch(() => {});
          inFlight.push(p);
        }
      }
      const head = inFlight.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}
