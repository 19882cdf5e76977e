/** Linear scales and "nice" ticks (steps of 1, 2 or 5 times a power of ten) for axes and colour bars. */
import { formatFixed } from './text.ts';

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a degenerate domain maps everything to the middle of the range. */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The nice step that gives about `count` intervals over [lo, hi], erring towards fewer (labels must not crowd). */
export function niceStep(lo: number, hi: number, count: number): number {
  const span = Math.abs(hi - lo);
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f < 1.25 ? 1 : f < 3 ? 2 : f < 6.5 ? 5 : 10) * p;
}

export interface Ticks {
  values: number[];
  step: number;
  /** Decimals that show every tick distinctly. */
  decimals: number;
}

/** Multiples of a nice step inside [lo, hi] (ends included when they fall on a multiple). */
export function niceTicks(lo: number, hi: number, count = 5): Ticks {
  const step = niceStep(lo, hi, count);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let i = first; i <= last; i++) values.push(Number((i * step).toFixed(decimals + 2)));
  return { values, step, decimals };
}

/** [lo, hi] widened outward to multiples of the nice step, so the axis ends on a tick. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  const step = niceStep(lo, hi, count);
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) + 2;
  return [Number((Math.floor(lo / step + 1e-9) * step).toFixed(digits)), Number((Math.ceil(hi / step - 1e-9) * step).toFixed(digits))];
}

/** Integer ticks (layer and head indices) with a step of 1, 2, 5, 10, ... giving at most `max` ticks. */
export function integerTicks(lo: number, hi: number, max = 9): number[] {
  const span = hi - lo;
  let step = 1;
  for (const s of [1, 2, 4, 5, 8, 10, 16, 20, 25, 50, 100, 200, 500, 1000]) {
    step = s;
    if (Math.floor(span / s) + 1 <= max) break;
  }
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  return out;
}

export function tickLabel(v: number, t: Ticks): string {
  return formatFixed(v, t.decimals);
}
