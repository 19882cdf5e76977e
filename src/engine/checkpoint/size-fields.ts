/**
 * Naming the config.json field behind a tensor size: when a tensor's shape disagrees with the shape
 * the config implies, the message says which field gave the size the weights contradict
 * ("text_config.intermediate_size is 96, the weights have 128"), not only the two shapes. Each
 * family lists its fields as written in config.json (snake_case, with their section) beside the
 * values its parsed config holds for them.
 */

/** A config.json field (or a product of fields, e.g. `num_key_value_heads x head_dim`) and its value. */
export type SizeField = readonly [field: string, value: number];

/**
 * " (text_config.hidden_size is 64, the weights have 96)" for the first dimension that differs and
 * whose size some field gives (every such field, joined by "or"); " (2 dimensions, the weights have
 * 3)" when the ranks differ; '' when no listed field gives the size.
 */
export function impliedBy(fields: readonly SizeField[], expected: readonly number[], actual: readonly number[]): string {
  if (expected.length !== actual.length) return ` (${expected.length} dimensions, the weights have ${actual.length})`;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === actual[i]) continue;
    const names = fields.filter(([, value]) => value === expected[i]).map(([name]) => name);
    if (names.length > 0) return ` (${[...new Set(names)].join(' or ')} is ${expected[i]}, the weights have ${actual[i]})`;
  }
  return '';
}
