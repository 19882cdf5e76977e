import { describe, expect, it } from 'vitest';
import { LaserMethodInfo } from '../../common/contract/methods.ts';
import { defaultKnobs, knobNames, METHOD_IDS, parseKnobs } from '../../common/laser/knobs.ts';
import { laserMethods } from './laser-methods.ts';

const methods = laserMethods();
const knob = (method: string, name: string) => methods.find((m) => m.id === method)!.knobs.find((k) => k.name === name)!;

describe('laser.methods', () => {
  it('lists every method with every knob of its schema, in the contract shape', () => {
    expect(methods.map((m) => m.id)).toEqual([...METHOD_IDS]);
    for (const m of methods) {
      expect(LaserMethodInfo.parse(m)).toEqual(m);
      expect(m.knobs.map((k) => k.name)).toEqual(knobNames(m.id));
      expect(m.description).not.toBe('');
      for (const k of m.knobs) expect(k.description, `${m.id}.${k.name}`).not.toBe('');
    }
  });

  it('gives the defaults parseKnobs fills in', () => {
    for (const m of methods) {
      expect(Object.fromEntries(m.knobs.map((k) => [k.name, k.default]))).toEqual(defaultKnobs(m.id));
    }
  });

  it('describes types, bounds and options from the schemas', () => {
    expect(knob('laser', 'kHead')).toMatchObject({ kind: 'integer', min: 1, max: null, minExclusive: false, nullable: false, default: 8 });
    expect(knob('laser', 'fill')).toMatchObject({ kind: 'enum', options: ['mean', 'gray127', 'black', 'blur'] });
    expect(knob('laser', 'renormalize')).toMatchObject({ kind: 'boolean', default: false });
    expect(knob('laser', 'kPatch')).toMatchObject({ kind: 'count', min: 0, minExclusive: true });
    expect(knob('laser', 'apcBeta')).toMatchObject({ kind: 'number', nullable: true, min: 0, minExclusive: true, max: 1, default: null });
    expect(knob('laser', 'layerRange')).toMatchObject({ kind: 'layer-range', nullable: true, min: 0 });
    expect(knob('vcd', 'noiseStep')).toMatchObject({ kind: 'integer', min: 0, max: 999 });
  });

  it('states each range as the refusals do, without "null" where the knob cannot be null', () => {
    expect(knob('laser', 'fixedLayer')).toMatchObject({ nullable: true, range: 'null or an integer >= 0 (below the layer count)' });
    expect(knob('static-layer', 'fixedLayer')).toMatchObject({ nullable: false, range: 'an integer >= 0 (below the layer count)' });
    let message = '';
    try {
      parseKnobs('static-layer', { fixedLayer: -1 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(knob('static-layer', 'fixedLayer').range);
  });
});
