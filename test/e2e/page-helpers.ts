// Helpers shared by the e2e step files (steps.ts, analysis-steps.ts, ...): selectors, polling,
// assertions, the small page queries every step uses, and the types the step files share.
import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'playwright-core';

/** The fixtures made only for the steps that need them: the 20,000-image folder, the analysis models, the record with a sink. */
export type Need = 'large' | 'analysis' | 'sinks';

/** One e2e step: its name (what LASER_E2E_ONLY names, and the screenshot's), what it does, and the costly fixtures it needs. */
export type Step = readonly [name: string, run: () => Promise<void>, needs?: readonly Need[]];

export const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** Polls `check` until it returns a truthy value; the error names what was awaited and what was last seen. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const end = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
      last = JSON.stringify(value);
    } catch (e) {
      last = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await delay(100);
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** `value`, or a failure naming `what` when it is null or undefined (an attribute or a box the page lacks). */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`${what} is missing`);
  return value;
}

/** The groups of `re`'s match in `text`, or a failure naming `what` when it does not match. */
export function groups(re: RegExp, text: string, what: string): string[] {
  const m = re.exec(text);
  if (m === null) throw new Error(`${what}: ${re} does not match ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`);
  return m.slice(1).map((g) => g ?? '');
}

/** The queries by test id that both step files use: trimmed text, a count, and visibility of the first match. */
export function pageQueries(page: Page) {
  return {
    text: async (id: string): Promise<string> => (await page.locator(byTestId(id)).first().innerText()).trim(),
    count: (selector: string): Promise<number> => page.locator(selector).count(),
    visible: (id: string): Promise<boolean> => page.locator(byTestId(id)).first().isVisible(),
  };
}
