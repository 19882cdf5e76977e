/**
 * A checkpoint seen through canonical tensor names: transformers renamed the modules of several
 * model classes in 4.52 (LLaVA's `language_model.model.*` became `model.language_model.*`, Qwen2-VL's
 * `model.*` and `visual.*` became `model.language_model.*` and `model.visual.*`), and a downloaded
 * folder may be in either layout. Each family names its canonical layout with a rename function;
 * every consumer (compiler, reference model) then reads one naming whatever is on disk.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { Checkpoint, CheckpointTensorInfo } from './checkpoint.ts';

/**
 * `ck` with every stored name passed through `canonical` (names already canonical map to
 * themselves). Throws 'invalid-checkpoint' if two stored names map to the same canonical one (a
 * checkpoint mixing both layouts).
 */
export function renamedCheckpoint(ck: Checkpoint, canonical: (name: string) => string): Checkpoint {
  const actual = new Map<string, string>();
  for (const n of ck.names()) {
    const c = canonical(n);
    const prev = actual.get(c);
    if (prev !== undefined) {
      throw new WorkbenchError(
        'invalid-checkpoint',
        `${ck.dir}: tensors "${prev}" and "${n}" are the same weight under two naming layouts`,
        'The checkpoint mixes old and new transformers layouts; re-export it with save_pretrained.',
      );
    }
    actual.set(c, n);
  }
  const to = (name: string) => actual.get(name) ?? name;
  return {
    dir: ck.dir,
    names: () => [...actual.keys()],
    has: (name) => actual.has(name),
    info: (name): CheckpointTensorInfo => ck.info(to(name)),
    readFloat32: (name) => ck.readFloat32(to(name)),
    readRaw: (name) => ck.readRaw(to(name)),
    chunks: (name, chunkBytes) => ck.chunks(to(name), chunkBytes),
    close: () => ck.close(),
  };
}
