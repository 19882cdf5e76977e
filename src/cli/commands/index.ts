import type { Command } from 'commander';

/** One line per command module; each module adds its own subcommand. */
export function registerCommands(_program: Command): void {}
