#!/usr/bin/env node
// The `laser` command: built JavaScript (out/cli, see scripts/build-cli.mjs), the same engine code
// that the app and the server use. In a checkout it is built here on first use and again when src/
// changed, so `npx laser` works straight after `npm ci` with no install script and no TypeScript
// loader at run time.
import { ensureCliBuilt } from '../scripts/build-cli.mjs';
import { pathToFileURL } from 'node:url';

process.setSourceMapsEnabled(true);
let entry;
try {
  entry = await ensureCliBuilt();
} catch (e) {
  process.stderr.write(
    `error: the laser command could not be built: ${String(e?.message ?? e).split('\n')[0]}\nhint: run \`npm ci\` (it installs esbuild, which builds it), then \`npm run build:cli\`.\n`,
  );
  process.exit(2);
}
const { main, printError } = await import(pathToFileURL(entry).href);
// An error thrown outside a command's promise (an event handler, a stream) goes through the same
// boundary as the rest: one line and a crash log, never a raw stack.
const fatal = (e) => {
  void printError(e, process.argv).then(
    (code) => process.exit(code),
    () => process.exit(2),
  );
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
process.exitCode = await main(process.argv);
