#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed; otherwise the same workbench in
// a browser, served by `laser serve`. Either way one command gets a newcomer to a working UI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron executable, or null when its download was skipped (the package throws then). */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function electronViteCli() {
  const manifest = require.resolve('electron-vite/package.json');
  const { bin } = require(manifest);
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin['electron-vite']);
}

/** Runs a Node script in the project folder with this terminal; resolves to its exit code. */
function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    // Ctrl+C reaches the child from the terminal already; SIGTERM is sent to us alone, so pass it on.
    const onInt = () => {};
    const onTerm = () => child.kill('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (electronBinary()) {
  // Builds main, preload and renderer, then starts Electron on the result.
  process.exitCode = await run([electronViteCli(), 'preview']);
} else {
  console.log('Electron is not installed here (its binary download was skipped); starting the browser workbench instead.');
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    const built = await run([electronViteCli(), 'build']);
    if (built !== 0) {
      console.error('The workbench UI did not build (see above); fix that, then run `npm start` again.');
      process.exit(built);
    }
  }
  process.exitCode = await run([join(root, 'bin', 'laser.js'), 'serve', ...process.argv.slice(2)]);
}
