import { describe, expect, it } from 'vitest';
import type { KnobDescriptor } from '../../../common/contract/methods.ts';
import { defaultFields, fieldFromValue, fieldsFromKnobs, formatDefault, isDefaultField, knobsFromFields, parseField } from './knob-form.ts';

function knob(o: Partial<KnobDescriptor> & Pick<KnobDescriptor, 'name' | 'kind'>): KnobDescriptor {
  return { default: null, nullable: false, min: null, max: null, minExclusive: false, options: null, range: 'a valid value', description: '', ...o };
}

const kHead = knob({ name: 'kHead', kind: 'integer', default: 8, min: 1, range: 'an integer >= 1' });
const alpha = knob({ name: 'alpha', kind: 'number', default: 1, min: 0, range: 'a finite number >= 0' });
const apcBeta = knob({
  name: 'apcBeta',
  kind: 'number',
  default: null,
  nullable: true,
  min: 0,
  minExclusive: true,
  max: 1,
  range: 'null (off) or a number in (0, 1]',
});
const kPatch = knob({ name: 'kPatch', kind: 'count', default: 0.055, range: 'a fraction in (0, 1), or an integer count >= 1' });
const fill = knob({
  name: 'fill',
  kind: 'enum',
  default: 'mean',
  options: ['mean', 'gray127', 'black', 'blur'],
  range: "'mean', 'gray127', 'black' or 'blur'",
});
const renormalize = knob({ name: 'renormalize', kind: 'boolean', default: false, range: 'true or false' });
const layerRange = knob({ name: 'layerRange', kind: 'layer-range', default: null, nullable: true, min: 0, range: 'null or [lo, hi]' });
const all = [kHead, alpha, apcBeta, kPatch, fill, renormalize, layerRange];

describe('knob form', () => {
  it('starts at the defaults and sends nothing for them', () => {
    const fields = defaultFields(all);
    expect(fields.kHead).toEqual({ kind: 'text', on: true, text: '8' });
    expect(fields.apcBeta).toEqual({ kind: 'text', on: false, text: '' });
    expect(fields.layerRange).toEqual({ kind: 'range', on: false, lo: '', hi: '' });
    expect(knobsFromFields(all, fields)).toEqual({ ok: true, knobs: {} });
    for (const d of all) expect(isDefaultField(d, fields[d.name])).toBe(true);
  });

  it('sends only the knobs that differ from their defaults, as typed values', () => {
    const fields = {
      ...defaultFields(all),
      kHead: { kind: 'text', on: true, text: ' 4 ' },
      apcBeta: { kind: 'text', on: true, text: '0.1' },
      fill: { kind: 'text', on: true, text: 'black' },
      renormalize: { kind: 'boolean', on: true, checked: true },
      layerRange: { kind: 'range', on: true, lo: '2', hi: '3' },
    } as const;
    expect(knobsFromFields(all, fields)).toEqual({ ok: true, knobs: { kHead: 4, apcBeta: 0.1, fill: 'black', renormalize: true, layerRange: [2, 3] } });
  });

  it('refuses values outside the range, quoting the range', () => {
    expect(parseField(kHead, { kind: 'text', on: true, text: '0' })).toEqual({ ok: false, error: 'must be an integer >= 1' });
    expect(parseField(kHead, { kind: 'text', on: true, text: '2.5' }).ok).toBe(false);
    expect(parseField(kHead, { kind: 'text', on: true, text: 'eight' }).ok).toBe(false);
    expect(parseField(kHead, { kind: 'text', on: true, text: '' })).toEqual({ ok: false, error: 'is empty; it must be an integer >= 1' });
    expect(parseField(alpha, { kind: 'text', on: true, text: '-0.5' }).ok).toBe(false);
    expect(parseField(alpha, { kind: 'text', on: true, text: 'Infinity' }).ok).toBe(false);
  });

  it('honours an exclusive lower bound and an upper bound', () => {
    expect(parseField(apcBeta, { kind: 'text', on: true, text: '0' }).ok).toBe(false);
    expect(parseField(apcBeta, { kind: 'text', on: true, text: '1' })).toEqual({ ok: true, value: 1 });
    expect(parseField(apcBeta, { kind: 'text', on: true, text: '1.01' }).ok).toBe(false);
    expect(parseField(apcBeta, { kind: 'text', on: false, text: '0.3' })).toEqual({ ok: true, value: null });
  });

  it('takes a count as a fraction below 1 or a whole number, nothing in between', () => {
    expect(parseField(kPatch, { kind: 'text', on: true, text: '0.1' })).toEqual({ ok: true, value: 0.1 });
    expect(parseField(kPatch, { kind: 'text', on: true, text: '32' })).toEqual({ ok: true, value: 32 });
    expect(parseField(kPatch, { kind: 'text', on: true, text: '1.5' }).ok).toBe(false);
    expect(parseField(kPatch, { kind: 'text', on: true, text: '0' }).ok).toBe(false);
  });

  it('needs a layer range of two whole layers in order', () => {
    expect(parseField(layerRange, { kind: 'range', on: true, lo: '3', hi: '1' }).ok).toBe(false);
    expect(parseField(layerRange, { kind: 'range', on: true, lo: '-1', hi: '1' }).ok).toBe(false);
    expect(parseField(layerRange, { kind: 'range', on: true, lo: '', hi: '1' }).ok).toBe(false);
    expect(parseField(layerRange, { kind: 'range', on: true, lo: '1', hi: '1' })).toEqual({ ok: true, value: [1, 1] });
  });

  it('refuses an enum value it does not list and a non-nullable knob switched off', () => {
    expect(parseField(fill, { kind: 'text', on: true, text: 'white' }).ok).toBe(false);
    expect(parseField(kHead, { kind: 'text', on: false, text: '8' }).ok).toBe(false);
  });

  it('collects every field error at once', () => {
    const fields = { ...defaultFields(all), kHead: { kind: 'text', on: true, text: '0' }, fill: { kind: 'text', on: true, text: 'x' } } as const;
    const r = knobsFromFields(all, fields);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['fill', 'kHead']);
  });

  it("fills the form from a run's knobs, keeping defaults for knobs the run lacks", () => {
    const fields = fieldsFromKnobs(all, { kHead: 2, layerRange: [0, 3], apcBeta: null });
    expect(fields.kHead).toEqual({ kind: 'text', on: true, text: '2' });
    expect(fields.layerRange).toEqual({ kind: 'range', on: true, lo: '0', hi: '3' });
    expect(fields.alpha).toEqual(fieldFromValue(alpha, 1));
    expect(knobsFromFields(all, fields)).toEqual({ ok: true, knobs: { kHead: 2, layerRange: [0, 3] } });
  });

  it('states defaults in words', () => {
    expect(formatDefault(kHead)).toBe('8');
    expect(formatDefault(apcBeta)).toBe('off');
    expect(formatDefault(layerRange)).toBe('all layers');
    expect(formatDefault(knob({ name: 'r', kind: 'layer-range', default: [1, 2] }))).toBe('[1, 2]');
  });
});
