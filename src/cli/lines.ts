/** How a command prints: a line at a time. The commands print to stdout and stderr; tests pass their own. */
export type Lines = (line: string) => void;

export const stdoutLines: Lines = (l) => process.stdout.write(`${l}\n`);
export const stderrLines: Lines = (l) => process.stderr.write(`${l}\n`);

/** The two streams of a command that takes them as one object (models, scan, figure). */
export interface CommandOutput {
  stdout: Lines;
  stderr: Lines;
}

export const processOutput: CommandOutput = { stdout: stdoutLines, stderr: stderrLines };
