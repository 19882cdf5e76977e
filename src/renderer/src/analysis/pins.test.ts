import { describe, expect, it } from 'vitest';
import { pinStore } from './pins.ts';
import { sampleResult } from './testing/sample-result.ts';

describe('the pin store', () => {
  it('keeps one list for the window: pin, pin again (no-op), unpin, clear, telling subscribers each time', () => {
    const seen: number[] = [];
    const stop = pinStore.subscribe(() => seen.push(pinStore.get().length));
    const a = sampleResult();
    const b = { ...sampleResult({ method: 'static-layer' }), id: 'b'.repeat(64) };
    pinStore.pin(a);
    pinStore.pin(a);
    pinStore.pin(b);
    expect(pinStore.get().map((p) => p.id)).toEqual([a.id, b.id]);
    pinStore.unpin(a.id);
    expect(pinStore.get().map((p) => p.id)).toEqual([b.id]);
    pinStore.clear();
    stop();
    pinStore.pin(a);
    expect(seen).toEqual([1, 1, 2, 1, 0]);
    pinStore.clear();
  });
});
