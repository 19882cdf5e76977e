import { describe, expect, it } from 'vitest';
import { inputCells, inputFills, inputLayer, inputRuleText, inputSinks, inputSizeText } from './inputs.ts';
import { sampleResult } from './testing/sample-result.ts';

const [image, crop] = sampleResult().inputImages;

describe('the inputs view', () => {
  it("lays a non-square grid evenly on the input's own picture", () => {
    expect(crop.grid).toEqual([2, 3]);
    const cells = inputCells(crop);
    expect(cells).toHaveLength(6);
    expect(cells[0]).toEqual([0, 0, 28, 28]);
    expect(cells[5]).toEqual([56, 28, 84, 56]);
  });

  it("colours each input's own attention at the chosen layer, on its own grid", () => {
    const { fills, domain } = inputFills(crop, 2);
    expect(domain).toEqual([0, 0.5]);
    expect(fills.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fills[0]).toMatchObject({ x: 0, y: 0, width: 28, height: 28, value: 0.5 });
    expect(inputFills(image, 1).fills).toHaveLength(4);
    expect(inputFills({ ...crop, attention: null }, 1)).toEqual({ fills: [], domain: null, values: null });
    expect(() => inputFills({ ...crop, grid: [2, 2] }, 0)).toThrow(/6 attention values for its 2x2 grid/);
  });

  it('shows the layer asked for, else the last, within the layers the input has', () => {
    expect(inputLayer(crop, 1)).toBe(1);
    expect(inputLayer(crop, null)).toBe(2);
    expect(inputLayer(crop, 9)).toBe(2);
    expect(inputLayer({ attention: null }, 1)).toBeNull();
  });

  it('says how each input was made and at what size and grid the model got it', () => {
    expect(inputRuleText(image)).toBe('the image as given');
    expect(inputRuleText(crop)).toBe('I cropped to [0, 0, 112, 100] (original pixels)');
    expect(inputRuleText({ rule: { kind: 'mask', cells: [3, 4], rects: [], fill: 'mean' } })).toBe("2 cells of I's grid filled (mean)");
    expect(inputRuleText({ rule: { kind: 'mask-crop', cells: [3], box: [1, 2, 3, 4], fill: 'black' } })).toBe(
      'mask(I) (1 cell, black) cropped to [1, 2, 3, 4]',
    );
    expect(inputRuleText({ rule: { kind: 'noise', step: 500, steps: 1000, seed: 42 } })).toBe('diffusion noise at step 500 of 1000, seed 42');
    expect(inputSizeText(crop)).toBe('84 × 56 px (from 112 × 100) · grid 2 × 3');
  });

  it('flags attention sinks and, when asked, sets the scale from the other cells', () => {
    // cell 0 takes 90 % of every layer's grid attention (5 x a uniform 1/6 is 83 %)
    const sunk = {
      ...crop,
      attention: [
        [0.9, 0.02, 0.02, 0.02, 0.02, 0.02],
        [0.9, 0.02, 0.02, 0.02, 0.02, 0.02],
        [0.9, 0.04, 0.02, 0.02, 0.01, 0.01],
      ],
    };
    expect(inputSinks(sunk)).toEqual([0]);
    expect(inputSinks(crop)).toEqual([]);
    expect(inputFills(sunk, 2).domain).toEqual([0, 0.9]);
    expect(inputFills(sunk, 2, true).domain).toEqual([0, 0.04]);
  });
});
