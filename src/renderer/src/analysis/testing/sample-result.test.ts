import { describe, expect, it } from 'vitest';
import { LaserResult } from '../../../../common/contract/methods.ts';
import { sampleResult } from './sample-result.ts';

describe('the sample result used by the view tests', () => {
  it('is a LaserResult the contract accepts, with and without maps', () => {
    expect(LaserResult.safeParse(sampleResult()).success).toBe(true);
    expect(LaserResult.safeParse(sampleResult({ method: 'vanilla', noMaps: true })).success).toBe(true);
  });
});
