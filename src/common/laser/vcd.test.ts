import { describe, it, expect } from 'vitest';
import { createRng } from './random.ts';
import { addDiffusionNoise, vcdNoiseSchedule } from './vcd.ts';
import { at } from '../../../test/support/index-access.ts';

describe('vcdNoiseSchedule', () => {
  // Reference values from VCD's add_diffusion_noise evaluated with numpy in float64 (and float32,
  // torch's dtype, which agrees to ~1e-7 relative). 1e-12 absolute pins our float64 arithmetic.
  const { betas, alphasBar } = vcdNoiseSchedule();

  it('is the sigmoid beta schedule over 1000 steps from sigmoid(-6) to sigmoid(6) of the 1e-5..5e-3 span', () => {
    expect(betas.length).toBe(1000);
    expect(betas[0]).toBeCloseTo(2.2338389551607526e-5, 12);
    expect(betas[500]).toBeCloseTo(0.0025124924699700736, 12);
    expect(betas[999]).toBeCloseTo(0.004987661610448393, 12);
  });

  it('gives alpha-bar at the default step 500 as in VCD', () => {
    expect(alphasBar[500]).toBeCloseTo(0.7447985260430766, 12);
    expect(Math.sqrt(at(alphasBar, 500))).toBeCloseTo(0.8630171064602814, 12);
    expect(Math.sqrt(1 - at(alphasBar, 500))).toBeCloseTo(0.5051746964733322, 12);
    expect(alphasBar[999]).toBeCloseTo(0.0812491943039999, 12);
  });
});

describe('addDiffusionNoise', () => {
  it('scales the image by sqrt(alpha-bar) and adds sqrt(1 - alpha-bar) times the seeded noise', () => {
    const x = Float32Array.from([1, -1, 0.5, 0]);
    const noisy = addDiffusionNoise(x, 500, createRng(5));
    const eps = createRng(5);
    const expected = Array.from(x, (v) => Math.fround(0.8630171064602814 * v + 0.5051746964733322 * eps.nextGaussian()));
    Array.from(noisy).forEach((v, i) => expect(v).toBeCloseTo(at(expected, i), 6));
  });

  it('leaves the image unchanged in distribution at step 0 but for a tiny noise', () => {
    const x = new Float32Array(1000).fill(2);
    const noisy = addDiffusionNoise(x, 0, createRng(1));
    // sqrt(1 - alpha-bar_0) = sqrt(2.23e-5) = 0.0047: every pixel within 6 of those.
    expect(noisy.every((v) => Math.abs(v - 2) < 0.03)).toBe(true);
  });

  it('refuses a step outside 0..999', () => {
    expect(() => addDiffusionNoise(new Float32Array(1), 1000, createRng(1))).toThrow(/0\.\.999/);
  });
});
