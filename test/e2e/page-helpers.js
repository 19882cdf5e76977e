// Helpers shared by the e2e step files (steps.js, analysis-steps.js): selectors, polling, assertions
// and the small page queries every step uses.
import { setTimeout as delay } from 'node:timers/promises';

export const byTestId = (id) => `[data-testid="${id}"]`;

/** Polls `check` until it returns a truthy value; the error names what was awaited and what was last seen. */
export async function until(what, check, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = JSON.stringify(value);
    } catch (e) {
      last = e instanceof Error ? e.message.split('\n')[0] : String(e);
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await delay(100);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** The queries by test id that both step files use: trimmed text, a count, and visibility of the first match. */
export function pageQueries(page) {
  return {
    text: async (id) => (await page.locator(byTestId(id)).first().innerText()).trim(),
    count: (selector) => page.locator(selector).count(),
    visible: (id) => page.locator(byTestId(id)).first().isVisible(),
  };
}
