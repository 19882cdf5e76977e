import { describe, expect, it } from 'vitest';
import {
  COLORMAP_NAMES,
  colorAt,
  colorDomain,
  contrastingInk,
  coolwarm,
  isColormapName,
  magma,
  relativeLuminance,
  toHex,
  valueColor,
  viridis,
} from './colormap.ts';
import { at } from '../../../test/support/index-access.ts';

/**
 * viridis as d3-scale-chromatic ships it (d3-scale-chromatic's src/sequential-multi/viridis.js), 256 8-bit colours: an
 * independent copy of the same published table, so a transcription error in ours would show.
 */
const D3_VIRIDIS =
  '44015444025645045745055946075a46085c460a5d460b5e470d60470e6147106347116447136548146748166848176948186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f854240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b' +
  '3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d' +
  '21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f881fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad8128ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc743fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863' +
  '5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21ad8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725';

/** Moreland's published CoolWarmFloat33 (kennethmoreland.com/color-maps), every 8th entry of a 257-entry map. */
const MORELAND_33 = [
  [0.2298057, 0.298717966, 0.753683153],
  [0.26623388, 0.353094838, 0.801466763],
  [0.30386891, 0.406535296, 0.84495867],
  [0.342804478, 0.458757618, 0.883725899],
  [0.38301334, 0.50941904, 0.917387822],
  [0.424369608, 0.558148092, 0.945619588],
  [0.46666708, 0.604562568, 0.968154911],
  [0.509635204, 0.648280772, 0.98478814],
  [0.552953156, 0.688929332, 0.995375608],
  [0.596262162, 0.726149107, 0.999836203],
  [0.639176211, 0.759599947, 0.998151185],
  [0.681291281, 0.788964712, 0.990363227],
  [0.722193294, 0.813952739, 0.976574709],
  [0.761464949, 0.834302879, 0.956945269],
  [0.798691636, 0.849786142, 0.931688648],
  [0.833466556, 0.860207984, 0.901068838],
  [0.865395197, 0.86541021, 0.865395561],
  [0.897787179, 0.848937047, 0.820880546],
  [0.924127593, 0.827384882, 0.774508472],
  [0.944468518, 0.800927443, 0.726736146],
  [0.958852946, 0.769767752, 0.678007945],
  [0.96732803, 0.734132809, 0.628751763],
  [0.969954137, 0.694266682, 0.579375448],
  [0.966811177, 0.650421156, 0.530263762],
  [0.958003065, 0.602842431, 0.481775914],
  [0.943660866, 0.551750968, 0.434243684],
  [0.923944917, 0.49730856, 0.387970225],
  [0.89904617, 0.439559467, 0.343229596],
  [0.869186849, 0.378313092, 0.300267182],
  [0.834620542, 0.312874446, 0.259301199],
  [0.795631745, 0.24128379, 0.220525627],
  [0.752534934, 0.157246067, 0.184115123],
  [0.705673158, 0.01555616, 0.150232812],
];

describe('viridis', () => {
  it('has 256 entries and the well-known ends and middle', () => {
    expect(viridis.table).toHaveLength(256);
    expect(toHex(colorAt(viridis, 0))).toBe('#440154');
    expect(toHex(colorAt(viridis, 1))).toBe('#fde725');
    expect(toHex(at(viridis.table, 128))).toBe('#21918c');
  });

  it("rounds to d3-scale-chromatic's 8-bit copy at every one of the 256 entries", () => {
    expect(D3_VIRIDIS).toHaveLength(256 * 6);
    const ours = viridis.table.map((c) => toHex(c).slice(1)).join('');
    expect(ours).toBe(D3_VIRIDIS);
  });

  it('rises in luminance at every step, so it reads in greyscale', () => {
    const l = viridis.table.map(relativeLuminance);
    for (let i = 1; i < l.length; i++) expect(at(l, i)).toBeGreaterThan(at(l, i - 1));
  });

  it('interpolates linearly between entries and clamps outside [0, 1]', () => {
    const [a, b] = [at(viridis.table, 10), at(viridis.table, 11)];
    const mid = colorAt(viridis, 10.5 / 255);
    for (let k = 0; k < 3; k++) expect(at(mid, k)).toBeCloseTo((at(a, k) + at(b, k)) / 2, 12);
    expect(colorAt(viridis, -3)).toEqual(viridis.table[0]);
    expect(colorAt(viridis, 7)).toEqual(viridis.table[255]);
    expect(() => colorAt(viridis, NaN)).toThrow(RangeError);
  });
});

describe('magma', () => {
  it('has 256 entries and the published ends and quartiles (matplotlib and d3 give the same 8-bit colours)', () => {
    expect(magma.table).toHaveLength(256);
    expect([0, 64, 128, 192, 255].map((i) => toHex(at(magma.table, i)))).toEqual(['#000004', '#51127c', '#b73779', '#fc8961', '#fcfdbf']);
    expect(magma.kind).toBe('sequential');
  });

  it('rises in luminance at every step, as viridis does', () => {
    const l = magma.table.map(relativeLuminance);
    for (let i = 1; i < l.length; i++) expect(at(l, i)).toBeGreaterThan(at(l, i - 1));
  });

  it('is one of the named maps the views offer, and only named maps pass the check', () => {
    expect(COLORMAP_NAMES).toEqual(['viridis', 'magma', 'coolwarm']);
    expect(isColormapName('magma')).toBe(true);
    expect(isColormapName('jet')).toBe(false);
    expect(isColormapName('toString')).toBe(false);
  });
});

describe('coolwarm', () => {
  it("matches Moreland's published table within a quarter of an 8-bit level", () => {
    // Our Msh conversion uses the 4-digit sRGB matrices; his table differs from it by at most 6e-4,
    // a sixth of one 8-bit level (1/255), so the two give the same colours on screen and paper.
    expect(coolwarm.table).toHaveLength(257);
    MORELAND_33.forEach((want, i) => {
      const got = at(coolwarm.table, i * 8);
      for (let k = 0; k < 3; k++) expect(Math.abs(at(got, k) - at(want, k))).toBeLessThan(1 / 255 / 4);
    });
  });

  it('is a neutral grey at the centre and darkens symmetrically towards both ends', () => {
    const c = at(coolwarm.table, 128);
    expect(Math.max(...c) - Math.min(...c)).toBeLessThan(1e-4);
    const l = coolwarm.table.map(relativeLuminance);
    for (let i = 1; i <= 128; i++) expect(at(l, i)).toBeGreaterThan(at(l, i - 1));
    for (let i = 129; i <= 256; i++) expect(at(l, i)).toBeLessThan(at(l, i - 1));
  });
});

describe('colour domains', () => {
  it('starts a sequential map at 0 so that maps compare by eye, and spans negative data when there is some', () => {
    expect(colorDomain([0.2, 0.5, 0.1], viridis)).toEqual([0, 0.5]);
    expect(colorDomain([-1, 3], viridis)).toEqual([-1, 3]);
    expect(colorDomain([0, 0, 0], viridis)).toEqual([0, 1]);
    expect(colorDomain([NaN, Infinity], viridis)).toEqual([0, 1]);
  });

  it('centres a diverging map on 0', () => {
    expect(colorDomain([-0.2, 0.5], coolwarm)).toEqual([-0.5, 0.5]);
    expect(toHex(valueColor(coolwarm, 0, [-0.5, 0.5]))).toBe(toHex(at(coolwarm.table, 128)));
  });

  it('picks black ink on light colours and white on dark ones', () => {
    expect(contrastingInk(colorAt(viridis, 1))).toBe('#000000');
    expect(contrastingInk(colorAt(viridis, 0))).toBe('#ffffff');
  });
});
