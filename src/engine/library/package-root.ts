/**
 * The project folder: the nearest folder above a module that holds this package's package.json.
 * Resources (the demo model, the samples, the built renderer) are found from it, so their paths
 * hold whether the code runs from src/ (tests, tsx) or bundled under out/ (the `laser` bin's
 * out/cli, Electron's out/main), where a fixed number of `../` from the module would not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'laser-workbench';

/** Walks up from `moduleUrl`'s folder to the package.json named PACKAGE_NAME. */
export function packageRootOf(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // Not ours (or not JSON): keep looking above.
      }
    }
    if (dirname(dir) === dir) throw new Error(`No package.json of ${PACKAGE_NAME} above ${start}; the installation is incomplete.`);
  }
}

let cached: string | null = null;

/**
 * The project folder of this installation. Never throws (modules compute resource paths from it as
 * they load): without our package.json above, it is the folder two above this module's, where a
 * build under out/<part>/ puts it; a resource missing there is then named by whoever opens it.
 */
export function packageRoot(): string {
  if (cached === null) {
    try {
      cached = packageRootOf(import.meta.url);
    } catch {
      cached = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    }
  }
  return cached;
}
