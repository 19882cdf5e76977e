#!/usr/bin/env node
// The `laser` command. The CLI is TypeScript run through tsx, so `npx laser` works straight after
// `npm ci` with no build step, using exactly the engine code that the app and the server use.
import { register } from 'tsx/esm/api';

register();
const { main, printError } = await import('../src/cli/index.ts');
// An error thrown outside a command's promise (an event handler, a stream) goes through the same
// boundary as the rest: one line and a crash log, never a raw stack.
const fatal = (e) => {
  void printError(e, process.argv).then((code) => process.exit(code), () => process.exit(2));
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
process.exitCode = await main(process.argv);
