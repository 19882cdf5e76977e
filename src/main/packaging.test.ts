import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// js-yaml comes with electron-builder; only this test reads YAML, so it is not a dependency of ours.
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
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
  electronFuses: Record<string, boolean>;
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
    // fontconfig, native too, reads the figure fonts from a real path
    expect(config.asarUnpack).toContain('resources/fonts/**');
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

// electron-builder's own pieces, as `npx electron-builder` runs them: the schema check of the whole
// configuration, the translation of `electronFuses` into @electron/fuses' config (what its afterPack
// step flips, right before signing), and @electron/fuses itself, applied to a fuse wire laid out as
// in an Electron binary (none can be downloaded here).
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(c: unknown, logger: unknown): Promise<void> };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(f: unknown): Promise<Record<string, unknown>> } };
};
const fuses = require('@electron/fuses') as typeof import('@electron/fuses');
const { SENTINEL, FuseState } = require('@electron/fuses/dist/constants.js') as { SENTINEL: string; FuseState: Record<string, number> };

describe('Electron Fuses at packaging time', () => {
  it("are set in electron-builder.yml, which electron-builder's schema accepts", async () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNodee: false } }, new DebugLogger(false))).rejects.toThrow(
      /electronFuses/,
    );
  });

  it("flip the packaged binary's fuse wire: RunAsNode, NODE_OPTIONS and --inspect off, ASAR-only with integrity, cookies encrypted", async () => {
    const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    const dir = mkdtempSync(join(tmpdir(), 'laser-fuses-'));
    try {
      // Electron's wire: the sentinel, version 1, its length, then one byte per fuse, all at their
      // shipped defaults (on, except asar integrity, asar-only and cookie encryption).
      const V1 = fuses.FuseV1Options;
      const shipped = [V1.RunAsNode, V1.EnableNodeOptionsEnvironmentVariable, V1.EnableNodeCliInspectArguments, V1.GrantFileProtocolExtraPrivileges];
      const wire = Array.from({ length: 8 }, (_, i) => (shipped.includes(i) ? FuseState.ENABLE : FuseState.DISABLE));
      const binary = join(dir, 'laser-workbench');
      writeFileSync(
        binary,
        Buffer.concat([Buffer.from('\x7fELF padding '), Buffer.from(SENTINEL), Buffer.from([1, wire.length, ...wire]), Buffer.from(' more')]),
      );
      await fuses.flipFuses(binary, fuseConfig as Parameters<typeof fuses.flipFuses>[1]);
      const after = await fuses.getCurrentFuseWire(binary);
      const state = (o: number) => (after as Record<number, number>)[o];
      expect(state(V1.RunAsNode)).toBe(FuseState.DISABLE);
      expect(state(V1.EnableNodeOptionsEnvironmentVariable)).toBe(FuseState.DISABLE);
      expect(state(V1.EnableNodeCliInspectArguments)).toBe(FuseState.DISABLE);
      expect(state(V1.GrantFileProtocolExtraPrivileges)).toBe(FuseState.DISABLE);
      expect(state(V1.EnableEmbeddedAsarIntegrityValidation)).toBe(FuseState.ENABLE);
      expect(state(V1.OnlyLoadAppFromAsar)).toBe(FuseState.ENABLE);
      expect(state(V1.EnableCookieEncryption)).toBe(FuseState.ENABLE);
      // The one fuse left as Electron ships it.
      expect(state(V1.LoadBrowserProcessSpecificV8Snapshot)).toBe(FuseState.DISABLE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leave the app working: the engine runs in a utilityProcess (not ELECTRON_RUN_AS_NODE) and the page is not file://', () => {
    const main = readFileSync(new URL('src/main/index.ts', root), 'utf8');
    expect(main).toMatch(/utilityProcess\.fork\(/);
    expect(main).not.toMatch(/child_process|ELECTRON_RUN_AS_NODE|loadFile\(/);
  });
});
