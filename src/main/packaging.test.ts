import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// js-yaml comes with electron-builder; only this test reads YAML, so it is not a dependency of ours.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const root = new URL('../..', import.meta.url);

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string };
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  linux: { target: string[]; category: string };
  mac: { target: string[] };
  win: { target: string[] };
}

const config = yaml.load(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { main: string; dependencies: Record<string, string> };

describe('electron-builder.yml', () => {
  it('names the app and writes packages to dist', () => {
    expect(config.appId).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('LASER Workbench');
    expect(config.directories.output).toBe('dist');
  });

  it('packs the build output, which holds the main entry of package.json, and the manifest', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'resources/**', 'package.json', 'node_modules/**']));
    expect(pkg.main.startsWith('out/')).toBe(true);
    // out/cli is the laser bin's own build (scripts/build-cli.mjs), not the app's.
    expect(config.files).toContain('!out/cli/**');
  });

  it('unpacks every native dependency from the asar', () => {
    for (const native of ['sharp', 'onnxruntime-node']) {
      expect(pkg.dependencies).toHaveProperty(native);
      expect(config.asarUnpack).toContain(`**/node_modules/${native}/**`);
    }
    expect(config.asarUnpack).toContain('**/node_modules/@img/**');
  });

  it('ships samples and models where the main process looks for them, and only once', () => {
    expect(config.extraResources).toEqual([
      expect.objectContaining({ from: 'resources/samples', to: 'samples' }),
      expect.objectContaining({ from: 'resources/models', to: 'models' }),
    ]);
    expect(config.files).toEqual(expect.arrayContaining(['!resources/samples/**', '!resources/models/**']));
  });

  it('builds AppImage and deb (Science) on Linux, a dmg on macOS and an NSIS installer on Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Science');
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });
});
