/**
 * Crash-safety tests: run a script in a child process whose `fs.promises.rename` hangs once it is
 * called with a destination ending in `destSuffix` (after announcing it), kill the child with
 * SIGKILL right there, between writing and renaming, and resolve when it is dead.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function killBetweenWriteAndRename(workDir: string, destSuffix: string, body: string): Promise<void> {
  const script = join(workDir, `child-${Date.now()}.mts`);
  await writeFile(
    script,
    `import fs from 'node:fs';
     import { syncBuiltinESMExports } from 'node:module';
     const rename = fs.promises.rename;
     fs.promises.rename = (from, to) => {
       if (!String(to).endsWith(${JSON.stringify(destSuffix)})) return rename(from, to);
       process.stdout.write('renaming\\n');
       return new Promise(() => {});
     };
     syncBuiltinESMExports();
     ${body}
     process.stdout.write('finished without the rename\\n');`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d) => (output += String(d)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += String(d);
      if (String(d).includes('renaming')) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`the child was not stopped at the rename (exit ${code}): ${output}`)),
    );
  });
}
