import { describe, expect, it } from 'vitest';
import { compileFraction, compileLabel } from './compile-progress.ts';

describe('compile progress', () => {
  it('measures progress in bytes, clamped to 0..1', () => {
    expect(compileFraction({ stage: 'weights', tensorsDone: 3, tensorsTotal: 10, bytesDone: 256, bytesTotal: 1024 })).toBe(0.25);
    expect(compileFraction({ stage: 'hashing', tensorsDone: 0, tensorsTotal: 0, bytesDone: 2048, bytesTotal: 1024 })).toBe(1);
  });

  it('uses tensors when the byte total is not known yet, and 0 when nothing is', () => {
    expect(compileFraction({ stage: 'weights', tensorsDone: 5, tensorsTotal: 10, bytesDone: 0, bytesTotal: 0 })).toBe(0.5);
    expect(compileFraction({ stage: 'weights', tensorsDone: 0, tensorsTotal: 0, bytesDone: 0, bytesTotal: 0 })).toBe(0);
  });

  it('names the phase, the share done, the tensors and the bytes', () => {
    expect(compileLabel({ stage: 'weights', tensorsDone: 120, tensorsTotal: 291, bytesDone: 1536, bytesTotal: 3072 })).toBe(
      'Converting weights · 50% · 120 / 291 tensors · 1.5 KiB of 3.0 KiB',
    );
    expect(compileLabel({ stage: 'hashing', tensorsDone: 0, tensorsTotal: 0, bytesDone: 0, bytesTotal: 2048 })).toBe(
      'Hashing the bundle · 0% · 0 B of 2.0 KiB',
    );
  });
});
