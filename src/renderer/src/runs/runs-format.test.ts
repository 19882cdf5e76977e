import { describe, expect, it } from 'vitest';
import { anyRunning, etaText, metricText, progressShare, progressText, rateText } from './runs-format.ts';

describe('runs view wording', () => {
  it('progress as rows of expected with the share', () => {
    expect(progressShare({ rows: 3, expected: 12 })).toBe(0.25);
    expect(progressShare({ rows: 0, expected: 0 })).toBe(0);
    expect(progressShare({ rows: 13, expected: 12 })).toBe(1);
    expect(progressText({ rows: 1234, expected: 18000 })).toBe('1,234 / 18,000 (6.9 %)');
    expect(progressText({ rows: 18000, expected: 18000 })).toBe('18,000 / 18,000 (100 %)');
    expect(progressText({ rows: 0, expected: 8 })).toBe('0 / 8 (0 %)');
  });

  it('rate per second, or per minute when under one a second; ETA with hours past one', () => {
    expect(rateText(null)).toBe('');
    expect(rateText(2.54)).toBe('2.5 rows/s');
    expect(rateText(12.4)).toBe('12 rows/s');
    expect(rateText(0.05)).toBe('3.0 rows/min');
    expect(rateText(0.5)).toBe('30 rows/min');
    expect(etaText(null)).toBe('');
    expect(etaText(200_000)).toBe('ETA 3 min 20 s');
    expect(etaText(2 * 3_600_000 + 15 * 60_000)).toBe('ETA 2 h 15 min');
    expect(metricText(0.877)).toBe('87.7 %');
    expect(metricText(null)).toBe('');
    expect(anyRunning([{ state: 'complete' }, { state: 'running' }])).toBe(true);
    expect(anyRunning([{ state: 'stopped' }])).toBe(false);
  });
});
