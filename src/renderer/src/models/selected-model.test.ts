import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../common/contract/methods.ts';
import { effectiveModel, modelLabels, modelShape, readSelectedModel, writeSelectedModel, type KeyValueStore } from './selected-model.ts';

function model(id: string, status: ModelInfo['status']): ModelInfo {
  return {
    id,
    name: id,
    dir: status === 'not-compiled' ? null : `/models/${id}`,
    architecture: 'llava',
    dtype: 'fp16',
    layers: 32,
    heads: 32,
    grid: [24, 24],
    hasTokenizer: true,
    source: 'bundle',
    compiledAt: null,
    quantization: null,
    status,
    problem: status === 'unavailable' ? 'The folder is gone.' : null,
  };
}

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('selected model', () => {
  it('keeps the remembered model when it is listed and usable', () => {
    const list = [model('a', 'ready'), model('b', 'ready')];
    expect(effectiveModel(list, 'b')?.id).toBe('b');
  });

  it('falls back to the first ready model when the remembered one is unavailable or gone', () => {
    const list = [model('demo', 'not-compiled'), model('a', 'unavailable'), model('b', 'ready')];
    expect(effectiveModel(list, 'a')?.id).toBe('b');
    expect(effectiveModel(list, 'removed')?.id).toBe('b');
    expect(effectiveModel(list, null)?.id).toBe('b');
  });

  it('takes the not-yet-compiled demo model when nothing is ready, and nothing when nothing can run', () => {
    expect(effectiveModel([model('x', 'unavailable'), model('demo', 'not-compiled')], null)?.id).toBe('demo');
    expect(effectiveModel([model('x', 'unavailable')], 'x')).toBeNull();
    expect(effectiveModel([], null)).toBeNull();
  });

  it('remembers the choice in storage and forgets it on null', () => {
    const store = memoryStore();
    writeSelectedModel(store, 'b');
    expect(readSelectedModel(store)).toBe('b');
    writeSelectedModel(store, null);
    expect(readSelectedModel(store)).toBeNull();
  });

  it('treats storage that throws (disabled) as empty', () => {
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(readSelectedModel(broken)).toBeNull();
    expect(() => writeSelectedModel(broken, 'a')).not.toThrow();
    expect(readSelectedModel(null)).toBeNull();
  });

  it('describes layers × heads and the grid', () => {
    expect(modelShape({ layers: 4, heads: 8, grid: [4, 6] })).toEqual({ layersHeads: '4 × 8', grid: '4 × 6' });
  });

  it('names models by name, adding the folder where two share a name', () => {
    const a = { ...model('a', 'ready'), name: 'tiny', dir: '/m/tiny-bundle' };
    const b = { ...model('b', 'ready'), name: 'tiny', dir: 'C:\\m\\tiny-crop' };
    const c = { ...model('c', 'ready'), name: 'llava' };
    const labels = modelLabels([a, b, c]);
    expect([labels.get('a'), labels.get('b'), labels.get('c')]).toEqual(['tiny (tiny-bundle)', 'tiny (tiny-crop)', 'llava']);
  });
});
