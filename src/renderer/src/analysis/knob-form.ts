/**
 * A method's knob form, driven by the knob descriptors the engine sends (laser.methods), so the UI
 * holds no copy of the spec. Fields keep what the user typed; `parseField` turns a field into a knob
 * value or says why it is not one, in the words of the knob's range. Only knobs that differ from the
 * default are sent: a run records every knob anyway, and an unchanged knob follows the spec default.
 */
import type { KnobDescriptor } from '../../../common/contract/methods.ts';

/** `on: false` is null (a nullable knob that is off). */
export type KnobField =
  { kind: 'boolean'; on: boolean; checked: boolean } | { kind: 'text'; on: boolean; text: string } | { kind: 'range'; on: boolean; lo: string; hi: string };

export type KnobFields = Record<string, KnobField>;

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/** The field showing `value` (a knob value as a run records it). */
export function fieldFromValue(d: KnobDescriptor, value: unknown): KnobField {
  const on = value !== null && value !== undefined;
  if (d.kind === 'boolean') return { kind: 'boolean', on, checked: value === true };
  if (d.kind === 'layer-range') {
    const [lo, hi] = Array.isArray(value) ? value : [null, null];
    return { kind: 'range', on, lo: text(lo), hi: text(hi) };
  }
  return { kind: 'text', on, text: text(value) };
}

export function defaultFields(descriptors: readonly KnobDescriptor[]): KnobFields {
  return Object.fromEntries(descriptors.map((d) => [d.name, fieldFromValue(d, d.default)]));
}

/** Fields showing a run's knobs; knobs the run lacks (a newer engine's) keep their defaults. */
export function fieldsFromKnobs(descriptors: readonly KnobDescriptor[], knobs: Record<string, unknown>): KnobFields {
  return Object.fromEntries(descriptors.map((d) => [d.name, fieldFromValue(d, d.name in knobs ? knobs[d.name] : d.default)]));
}

function parseNumber(d: KnobDescriptor, raw: string): Parsed {
  const bad: Parsed = { ok: false, error: `must be ${d.range}` };
  const t = raw.trim();
  if (t === '') return { ok: false, error: `is empty; it must be ${d.range}` };
  const v = Number(t);
  if (!Number.isFinite(v)) return bad;
  if (d.kind === 'integer' && !Number.isInteger(v)) return bad;
  if (d.kind === 'count' && !(v > 0 && (v < 1 || Number.isInteger(v)))) return bad;
  if (d.min !== null && (d.minExclusive ? v <= d.min : v < d.min)) return bad;
  if (d.max !== null && v > d.max) return bad;
  return { ok: true, value: v };
}

function parseLayer(raw: string): number | null {
  const t = raw.trim();
  const v = Number(t);
  return t !== '' && Number.isInteger(v) && v >= 0 ? v : null;
}

export function parseField(d: KnobDescriptor, f: KnobField): Parsed {
  if (!f.on) return d.nullable ? { ok: true, value: null } : { ok: false, error: `cannot be off; it must be ${d.range}` };
  switch (f.kind) {
    case 'boolean':
      return { ok: true, value: f.checked };
    case 'range': {
      const lo = parseLayer(f.lo);
      const hi = parseLayer(f.hi);
      if (lo === null || hi === null || lo > hi) return { ok: false, error: `must be ${d.range}` };
      return { ok: true, value: [lo, hi] };
    }
    case 'text':
      if (d.kind === 'enum') {
        return d.options?.includes(f.text) ? { ok: true, value: f.text } : { ok: false, error: `must be ${d.range}` };
      }
      return parseNumber(d, f.text);
  }
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export type FormResult = { ok: true; knobs: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** The knobs to send (those that differ from their defaults), or every field's error. */
export function knobsFromFields(descriptors: readonly KnobDescriptor[], fields: KnobFields): FormResult {
  const knobs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const d of descriptors) {
    const f = fields[d.name] ?? fieldFromValue(d, d.default);
    const p = parseField(d, f);
    if (!p.ok) errors[d.name] = p.error;
    else if (!sameValue(p.value, d.default)) knobs[d.name] = p.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, knobs };
}

/** Whether the field shows the default (so "reset" has nothing to do). */
export function isDefaultField(d: KnobDescriptor, f: KnobField): boolean {
  const p = parseField(d, f);
  return p.ok && sameValue(p.value, d.default);
}

/** The default as the form states it. */
export function formatDefault(d: KnobDescriptor): string {
  const v = d.default;
  if (v === null || v === undefined) return d.kind === 'layer-range' ? 'all layers' : 'off';
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}
