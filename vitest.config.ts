import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Every test, and every `laser` it starts, has a home and a data folder of its own, so nothing
 * writes into the real data folder and the one-time move of earlier versions' stores
 * (src/engine/settings/legacy-stores.ts) never touches the real home's. Tests that need a fresh one
 * make their own (test/support/isolated-env.ts).
 */
const testHome = join(tmpdir(), `laser-workbench-tests-${process.getuid?.() ?? 'user'}`);

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: {
      HOME: testHome,
      USERPROFILE: testHome,
      LASER_DATA_DIR: join(testHome, 'data'),
      XDG_DATA_HOME: join(testHome, 'xdg-data'),
      XDG_CACHE_HOME: join(testHome, 'xdg-cache'),
      XDG_CONFIG_HOME: join(testHome, 'xdg-config'),
    },
  },
});
