/**
 * VCD's negative image (Leng et al., CVPR 2024): forward diffusion noise on the normalised pixels,
 * ported from DAMO-NLP-SG/VCD, vcd_utils/vcd_add_noise.py `add_diffusion_noise(image_tensor,
 * noise_step)`:
 *   betas = sigmoid(linspace(-6, 6, 1000)) * (5e-3 - 1e-5) + 1e-5
 *   alphā_t = prod_{s <= t} (1 - beta_s)          (cumprod, t is 0-based, 0..999)
 *   x_t = sqrt(alphā_t) x_0 + sqrt(1 - alphā_t) eps,   eps ~ N(0, 1) per element
 * The original computes in float32 (torch); this computes the schedule in float64, which differs
 * from it by about 1e-7 relative. The noise comes from our seeded generator, not torch.randn.
 */
import type { FloatArray } from './attention.ts';
import type { Rng } from './random.ts';

export const VCD_NUM_STEPS = 1000;

export interface NoiseSchedule {
  readonly betas: Float64Array;
  /** alphā_t, the cumulative product of (1 - beta). */
  readonly alphasBar: Float64Array;
}

/** numpy/torch linspace: start + i * step, with the last point exactly `end`. */
function linspace(start: number, end: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = (end - start) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  out[n - 1] = end;
  return out;
}

export function vcdNoiseSchedule(numSteps = VCD_NUM_STEPS): NoiseSchedule {
  if (!Number.isInteger(numSteps) || numSteps < 2) throw new RangeError(`numSteps must be an integer >= 2, got ${numSteps}.`);
  const x = linspace(-6, 6, numSteps);
  const betas = new Float64Array(numSteps);
  const alphasBar = new Float64Array(numSteps);
  let prod = 1;
  for (const [i, xi] of x.entries()) {
    const beta = (1 / (1 + Math.exp(-xi))) * (0.5e-2 - 1e-5) + 1e-5;
    betas[i] = beta;
    prod *= 1 - beta;
    alphasBar[i] = prod;
  }
  return { betas, alphasBar };
}

/** q(x_t | x_0) at `step` (0-based, VCD's default 500), noise drawn from `rng`. */
export function addDiffusionNoise(pixels: FloatArray, step: number, rng: Rng, schedule = vcdNoiseSchedule()): Float32Array {
  const n = schedule.alphasBar.length;
  const alphaBar = Number.isInteger(step) && step >= 0 ? schedule.alphasBar[step] : undefined;
  if (alphaBar === undefined) throw new RangeError(`Noise step must be an integer in 0..${n - 1}, got ${step}.`);
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  return Float32Array.from(pixels, (v) => a * v + b * rng.nextGaussian());
}
