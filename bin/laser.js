#!/usr/bin/env node
// The `laser` command. The CLI is TypeScript run through tsx, so `npx laser` works straight after
// `npm ci` with no build step, using exactly the engine code that the app and the server use.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv);
