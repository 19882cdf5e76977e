import type { Command } from 'commander';
import { registerForward } from './forward.ts';

/** One line per command module; each module adds its own subcommand. */
export function registerCommands(program: Command): void {
  registerForward(program);
}
