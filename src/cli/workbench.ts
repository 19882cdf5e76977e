/**
 * The CLI's way into the engine: the same Workbench as the app and serve mode (createWorkbench, one
 * data folder), called in-process through the contract's dispatcher, so a command's request is
 * validated and refused with the same error codes as the app's, a model it compiles is in the app's
 * model list, a run it makes is in the app's history, and the demo model is compiled once for all.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WorkbenchError, cancelledError } from '../common/contract/errors.ts';
import { dispatch } from '../common/contract/host.ts';
import type { MethodName, ProgressOf, RequestOf, ResponseOf } from '../common/contract/methods.ts';
import { openBundle } from '../engine/bundle/open-bundle.ts';
import { createWorkbench } from '../engine/service/workbench.ts';
import type { Workbench, WorkbenchOptions } from '../engine/service/types.ts';
import { dataDirOfProcess } from '../engine/settings/data-dir.ts';
import { migrateLegacyStoresOfProcess } from '../engine/settings/legacy-stores.ts';
import { ensureDataDir } from './model-options.ts';

export interface CliWorkbenchOptions {
  /** --data-dir, when the command was given one. */
  dataDir?: string;
  /** Where runs are stored (`laser run --cache <dir>`); default: the data folder. */
  recordsDir?: string;
  runtime?: WorkbenchOptions['runtime'];
  /** Runs model work; default: the Workbench's own worker (tests give one whose worker they can kill). */
  inference?: WorkbenchOptions['inference'];
  /** Notes (a legacy store moved in) go here: stderr. */
  note: (line: string) => void;
}

export interface CallOptions<M extends MethodName> {
  signal?: AbortSignal;
  onProgress?: (event: ProgressOf<M>) => void;
}

export interface CliWorkbench {
  dataDir: string;
  workbench: Workbench;
  /** One contract call, validated as the app's are. */
  call<M extends MethodName>(method: M, request: RequestOf<M>, options?: CallOptions<M>): Promise<ResponseOf<M>>;
  /** The id of a compiled bundle folder, registering it in the model list when it is not yet. */
  modelIdOfBundle(dir: string): Promise<string>;
  /** Opens the folder of an image the user named, so runs may read it; 'not-found' naming the file when there is none. */
  allowImage(file: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function openCliWorkbench(o: CliWorkbenchOptions): Promise<CliWorkbench> {
  const dataDir = dataDirOfProcess(o.dataDir);
  await ensureDataDir(dataDir);
  await migrateLegacyStoresOfProcess(dataDir, o.note);
  const workbench = createWorkbench({
    dataDir,
    transport: 'cli',
    defaultFolder: null,
    ...(o.recordsDir ? { recordsDir: o.recordsDir } : {}),
    ...(o.runtime ? { runtime: o.runtime } : {}),
    ...(o.inference ? { inference: o.inference } : {}),
  });
  const call = async <M extends MethodName>(method: M, request: RequestOf<M>, options: CallOptions<M> = {}): Promise<ResponseOf<M>> => {
    const signal = options.signal ?? new AbortController().signal;
    if (signal.aborted) throw cancelledError();
    const progress = (options.onProgress ?? (() => undefined)) as (event: ProgressOf<MethodName>) => void;
    return (await dispatch(workbench.handlers, method, request, { signal, progress })) as ResponseOf<M>;
  };
  return {
    dataDir,
    workbench,
    call,
    async modelIdOfBundle(dir) {
      // A checkpoint folder is refused here as `laser run --bundle` always refused it, rather than compiled.
      await openBundle(dir);
      return (await call('models.add', { path: dir })).id;
    },
    async allowImage(file) {
      if (!(await stat(file).catch(() => null)))
        throw new WorkbenchError('not-found', `The file ${file} does not exist.`, 'Check the path, or pick the file again if it was moved or renamed.');
      await workbench.openFolder(dirname(file));
    },
    dispose: () => workbench.dispose(),
  };
}

/** Runs `work` with a CLI workbench, disposing it (the inference worker, settings) afterwards. */
export async function withCliWorkbench<T>(o: CliWorkbenchOptions, work: (cli: CliWorkbench) => Promise<T>): Promise<T> {
  const cli = await openCliWorkbench(o);
  try {
    return await work(cli);
  } finally {
    await cli.dispose();
  }
}

/** An AbortSignal that Ctrl-C fires while `work` runs. */
export async function cancelOnSigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
