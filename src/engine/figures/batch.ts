/**
 * `laser figure <folder-of-records>`: every record folder below a folder (what `laser run --method
 * all --out` or a copied cache leaves), found by its record.json, in path order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { RECORD_JSON } from '../laser/record.ts';

/** Record folders below `root` (not `root` itself), at most `depth` levels down; a record folder's own subfolders (inputs/, figures/) are not searched. */
export async function findRecordFolders(root: string, depth = 6): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, level: number): Promise<void> => {
    if (level > depth) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (level > 0 && entries.some((e) => e.isFile() && e.name === RECORD_JSON)) {
      found.push(dir);
      return;
    }
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) await walk(join(dir, e.name), level + 1);
  };
  if (!(await stat(root).catch(() => null))?.isDirectory()) return [];
  await walk(root, 0);
  return found;
}

/** Where a record's figures go in a batch: the record's path below the root, under `outRoot`. */
export function batchOutDir(root: string, recordDir: string, outRoot: string): string {
  return join(outRoot, relative(root, recordDir));
}
