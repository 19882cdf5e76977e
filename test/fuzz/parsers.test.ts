/**
 * Property tests of the parsers that read untrusted files: whatever bytes or JSON they get, they
 * either return a value or throw a WorkbenchError with a one-line message; never another exception
 * (a TypeError from a field that was not there, a RangeError from a length). Bounded here;
 * FUZZ_RUNS raises the number of cases (`npm run fuzz`).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isWorkbenchError } from '../../src/common/contract/errors.ts';
import { parseModelConfig } from '../../src/engine/checkpoint/hf-config.ts';
import { parseHeader, parseHeaderLength } from '../../src/engine/checkpoint/safetensors-header.ts';
import { RUNS } from './generators.ts';
import { count, flushTally, type Group } from './tally.ts';

const numRuns = RUNS > 0 ? RUNS * 50 : 400;

afterAll(() => flushTally('parsers'));

/**
 * Runs `f`; a WorkbenchError with a one-line message counts as a clear refusal. A value is a
 * correct result of the parser (its output is typed by its schema).
 */
function clearOutcome(f: () => unknown, group: Group): 'value' | 'refused' {
  try {
    f();
    count(group, 'correct result');
    return 'value';
  } catch (e) {
    if (!isWorkbenchError(e)) {
      count(group, 'crash');
      throw e;
    }
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeLessThan(1000);
    count(group, 'clear error');
    return 'refused';
  }
}

const dtype = fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8', 'f32', '');
const dim = fc.oneof(fc.nat({ max: 64 }), fc.integer({ min: -3, max: -1 }), fc.constant(2 ** 53), fc.double());
const tensorEntry = fc.record(
  {
    dtype: fc.oneof(dtype, fc.nat()),
    shape: fc.oneof(fc.array(dim, { maxLength: 4 }), fc.string()),
    data_offsets: fc.oneof(fc.tuple(fc.nat({ max: 4096 }), fc.nat({ max: 4096 })), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(null)),
  },
  { requiredKeys: [] },
);
const header = fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constant('__metadata__')), fc.oneof(tensorEntry, fc.jsonValue({ maxDepth: 2 })), {
  maxKeys: 6,
});

describe('the safetensors header parser (property)', () => {
  it('refuses or reads any 8-byte length with any file size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat({ max: 1 << 30 }), (first8, size) => {
        clearOutcome(() => parseHeaderLength('model.safetensors', first8, size), 'safetensors');
      }),
      { numRuns },
    );
  });

  it('refuses or reads any header JSON, structured or not, against any data size', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          header.map((h) => JSON.stringify(h)),
          fc.string({ maxLength: 200 }),
        ),
        fc.nat({ max: 8192 }),
        (text, dataSize) => {
          const bytes = new TextEncoder().encode(text);
          clearOutcome(() => parseHeader('model.safetensors', bytes, 8 + bytes.byteLength + dataSize), 'safetensors');
        },
      ),
      { numRuns },
    );
  });

  it('refuses header bytes that are not UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 64 }), (bytes) => {
        clearOutcome(() => parseHeader('model.safetensors', bytes, 8 + bytes.byteLength), 'safetensors');
      }),
      { numRuns },
    );
  });
});

const llavaish = fc.record(
  {
    model_type: fc.oneof(fc.constant('llava'), fc.string({ maxLength: 10 }), fc.nat()),
    text_config: fc.oneof(
      fc.constant(null),
      fc.dictionary(
        fc.constantFrom('hidden_size', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'model_type', 'rope_scaling', 'eos_token_id', 'vocab_size'),
        fc.oneof(fc.integer({ min: -2, max: 4096 }), fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })),
      ),
    ),
    vision_config: fc.oneof(
      fc.constant(null),
      fc.dictionary(
        fc.constantFrom('image_size', 'patch_size', 'hidden_size', 'num_attention_heads', 'num_hidden_layers', 'hidden_act'),
        fc.oneof(fc.integer({ min: -2, max: 1024 }), fc.string({ maxLength: 6 })),
      ),
    ),
    vision_feature_layer: fc.oneof(fc.integer({ min: -30, max: 30 }), fc.array(fc.integer(), { maxLength: 3 }), fc.string()),
    vision_feature_select_strategy: fc.oneof(fc.constantFrom('default', 'full'), fc.string({ maxLength: 5 })),
    image_token_index: fc.oneof(fc.nat(), fc.double(), fc.string()),
  },
  { requiredKeys: [] },
);

describe('the model config parser (property)', () => {
  it('refuses or reads any config.json of roughly the right shape', () => {
    fc.assert(
      fc.property(llavaish, (config) => {
        clearOutcome(() => parseModelConfig(config, 'config.json'), 'configs');
      }),
      { numRuns },
    );
  });

  it('refuses any JSON value that is not a config at all', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (json) => {
        clearOutcome(() => parseModelConfig(json, 'config.json'), 'configs');
      }),
      { numRuns },
    );
  });
});
