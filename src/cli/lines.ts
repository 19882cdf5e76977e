/** How a command prints: a line at a time. The commands print to stdout and stderr; tests pass their own. */
export type Lines = (line: string) => void;

export const stdoutLines: Lines = (l) => process.stdout.write(`${l}\n`);
export const stderrLines: Lines = (l) => process.stderr.write(`${l}\n`);
