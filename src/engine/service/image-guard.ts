/**
 * Which images a run may read: those inside folders the user opened (the workbench's path guard),
 * and the bundled samples (the folder that opens on first start), even before that folder is opened.
 * Returns the real path to read, every link resolved.
 */
import { WorkbenchError, isWorkbenchError } from '../../common/contract/errors.ts';
import { OpenedFolders } from '../library/openedFolders.ts';

export type ImageGuard = (hostPath: string) => Promise<string>;

export function createImageGuard(folders: OpenedFolders, samplesFolder: string | null): ImageGuard {
  let samples: Promise<OpenedFolders | null> | null = null;
  const samplesGuard = () => {
    samples ??= (async () => {
      if (samplesFolder === null) return null;
      const guard = new OpenedFolders();
      return guard.add(samplesFolder).then(
        () => guard,
        () => null,
      );
    })();
    return samples;
  };
  return async (hostPath) => {
    let inside;
    try {
      inside = await folders.resolveInside(hostPath);
    } catch (e) {
      const fallback = isWorkbenchError(e) && e.code === 'outside-opened-folders' ? await samplesGuard() : null;
      if (!fallback) throw e;
      inside = await fallback.resolveInside(hostPath).catch(() => {
        throw e;
      });
    }
    if (typeof inside.real !== 'string') {
      throw new WorkbenchError(
        'bad-request',
        `${inside.display}: the file name is not valid UTF-8, which the model runner cannot open.`,
        'Rename the file (or a copy of it) and pick it again.',
      );
    }
    return inside.real;
  };
}
