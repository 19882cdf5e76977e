/** Paths of the hand-made evaluation fixtures (test/eval/fixtures, see its README). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EVAL_FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
export const FIXTURE_IMAGES = join(EVAL_FIXTURES, 'images');

export function fixture(...parts: string[]): string {
  return join(EVAL_FIXTURES, ...parts);
}
