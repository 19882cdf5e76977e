/**
 * The models the workbench offers: the shipped demo model (compiled into the data folder on first
 * use) and the models the user registered, either compiled bundles used where they are or Hugging
 * Face checkpoints compiled into `<dataDir>/bundles/<id>`. Compiling runs in the inference worker.
 * Nothing outside the data folder is ever deleted.
 */
import { realpath, rm, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, isAbsolute } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import type { CompileOptionsRequest, CompileProgress, ModelInfo } from '../../common/contract/methods.ts';
import { openBundle } from '../bundle/open-bundle.ts';
import type { InferenceClient } from '../inference/client.ts';
import { compiledIdBase, compileOfManifest, resolveCompile, sameCompile } from './compile-request.ts';
import { bundleModelInfo, checkpointModelInfo, folderKind, unavailableModelInfo } from './describe.ts';
import { ModelRegistry, slugify, type RegisteredModel } from './registry.ts';

export const DEMO_MODEL_ID = 'laser-demo';

export interface CatalogOptions {
  dataDir: string;
  /** The shipped demo model (a checkpoint or bundle folder); null or a missing folder = no demo model. */
  demoModelDir: string | null;
  inference: InferenceClient;
  registry?: ModelRegistry;
}

export interface LongCall<P> {
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

function problemOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ModelCatalog {
  readonly registry: ModelRegistry;
  readonly bundlesDir: string;
  /** Ids picked for compiles still running, so two at once never share a folder. */
  private readonly reserved = new Set<string>();

  constructor(private readonly options: CatalogOptions) {
    this.registry = options.registry ?? new ModelRegistry(options.dataDir);
    this.bundlesDir = join(options.dataDir, 'bundles');
  }

  /** The demo model's folder and kind, or null when it is not installed. */
  private async demoSource(): Promise<{ dir: string; kind: 'bundle' | 'checkpoint' } | null> {
    const dir = this.options.demoModelDir;
    if (dir === null) return null;
    return folderKind(dir).then(
      (kind) => ({ dir, kind }),
      () => null,
    );
  }

  private async demoInfo(): Promise<ModelInfo | null> {
    const demo = await this.demoSource();
    if (!demo) return null;
    const entry = { id: DEMO_MODEL_ID, source: 'demo' as const };
    if (demo.kind === 'bundle') {
      return openBundle(demo.dir).then(
        (b) => bundleModelInfo(entry, b),
        (e: unknown) => unavailableModelInfo({ ...entry, dir: demo.dir, checkpoint: null, addedAt: '' }, problemOf(e)),
      );
    }
    const compiled = await this.registry.get(DEMO_MODEL_ID);
    const bundle = compiled ? await openBundle(compiled.dir).catch(() => null) : null;
    if (bundle) return bundleModelInfo(entry, bundle);
    return checkpointModelInfo(DEMO_MODEL_ID, 'demo', demo.dir).catch((e: unknown) =>
      unavailableModelInfo({ ...entry, dir: demo.dir, checkpoint: demo.dir, addedAt: '' }, problemOf(e)),
    );
  }

  /** The demo model first (when installed), then the registered models in the order they were added. */
  async list(): Promise<ModelInfo[]> {
    const out: ModelInfo[] = [];
    const demo = await this.demoInfo();
    if (demo) out.push(demo);
    for (const entry of await this.registry.list()) {
      if (entry.source === 'demo') continue;
      out.push(
        await openBundle(entry.dir).then(
          (b) => bundleModelInfo(entry, b),
          (e: unknown) => unavailableModelInfo(entry, problemOf(e)),
        ),
      );
    }
    return out;
  }

  private async info(entry: RegisteredModel): Promise<ModelInfo> {
    return bundleModelInfo(entry, await openBundle(entry.dir));
  }

  /**
   * Registers a compiled bundle where it is, or compiles a checkpoint into the data folder first.
   * A bundle folder registered before is not registered twice. A checkpoint gets one bundle per set
   * of compile options (`compile`, resolved against the compiler's defaults): the same options again
   * give the bundle made before (compiled again in place when it was damaged or deleted), other
   * options compile a bundle of their own beside it.
   */
  async add(path: string, call: LongCall<CompileProgress> = {}, compile?: CompileOptionsRequest): Promise<ModelInfo> {
    const given = resolve(path);
    const kind = await folderKind(given);
    const dir = await realpath(given);
    if (kind === 'bundle') {
      const bundle = await openBundle(dir);
      const known = await this.registry.findByDir(dir);
      if (known) return bundleModelInfo(known, bundle);
      const id = await this.registry.freeId(slugify(bundle.manifest.source.name || basename(dir)), (id) => id === DEMO_MODEL_ID);
      const entry: RegisteredModel = { id, dir, source: 'bundle', checkpoint: null, addedAt: new Date().toISOString() };
      await this.registry.put(entry);
      return bundleModelInfo(entry, bundle);
    }
    const wanted = resolveCompile(compile);
    // The registration to compile into when no bundle of these options opens: one of the same options
    // whose bundle is damaged or gone, else a damaged one that cannot say what it was (registered
    // before the options were stored, its manifest unreadable).
    let known: RegisteredModel | null = null;
    let unknown: RegisteredModel | null = null;
    for (const entry of await this.registry.compiledFrom(dir)) {
      const bundle = await openBundle(entry.dir).catch(() => null);
      // A registration older than stored options says what it is through its manifest.
      const made = entry.compile ?? (bundle ? compileOfManifest(bundle.manifest) : null);
      if (made === null) unknown ??= entry;
      else if (sameCompile(made, wanted)) {
        if (bundle) return bundleModelInfo(entry, bundle);
        known ??= entry;
      }
    }
    known ??= unknown;
    const id =
      known?.id ??
      (await this.registry.freeId(
        compiledIdBase(slugify(basename(dir)), wanted),
        async (id) => id === DEMO_MODEL_ID || this.reserved.has(id) || (await exists(join(this.bundlesDir, id))),
      ));
    const target = known?.dir ?? join(this.bundlesDir, id);
    this.reserved.add(id);
    try {
      await this.options.inference.call(
        'compile',
        { source: dir, target, ...(compile ? { options: compile } : {}) },
        { signal: call.signal, onProgress: call.onProgress },
      );
      const entry: RegisteredModel = { id, dir: target, source: 'compiled', checkpoint: dir, addedAt: new Date().toISOString(), compile: wanted };
      await this.registry.put(entry);
      return await this.info(entry);
    } finally {
      this.reserved.delete(id);
    }
  }

  private isOwnBundle(dir: string): boolean {
    const rel = relative(this.bundlesDir, resolve(dir));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  }

  /** Unregisters a model; deletes its bundle only when the workbench compiled it into its data folder. */
  async remove(id: string): Promise<boolean> {
    if (id === DEMO_MODEL_ID && (await this.demoSource())) {
      throw new WorkbenchError('bad-request', 'The demo model is part of the workbench and cannot be removed.');
    }
    const entry = await this.registry.get(id);
    if (!entry) throw await this.unknownModel(id);
    if (this.options.inference.running) await this.options.inference.call('release', { dir: entry.dir });
    await this.registry.remove(id);
    if (entry.source !== 'bundle' && this.isOwnBundle(entry.dir)) await rm(entry.dir, { recursive: true, force: true });
    return true;
  }

  /** The bundle folder of a model, compiling the demo model first if it never was. */
  async bundleDir(id: string, call: LongCall<CompileProgress> = {}): Promise<string> {
    if (id === DEMO_MODEL_ID) {
      const demo = await this.demoSource();
      if (demo?.kind === 'bundle') return demo.dir;
      if (demo) {
        const r = await this.options.inference.call(
          'demo',
          { source: demo.dir, cacheRoot: this.options.dataDir },
          { signal: call.signal, onProgress: call.onProgress },
        );
        const known = await this.registry.get(DEMO_MODEL_ID);
        if (known?.dir !== r.dir) {
          await this.registry.put({ id: DEMO_MODEL_ID, dir: r.dir, source: 'demo', checkpoint: demo.dir, addedAt: new Date().toISOString() });
          // An updated demo model (or compiler) compiled afresh: the old bundle is ours and unused now.
          if (known && this.isOwnBundle(known.dir)) {
            await this.options.inference.call('release', { dir: known.dir });
            await rm(known.dir, { recursive: true, force: true });
          }
        }
        return r.dir;
      }
    }
    const entry = await this.registry.get(id);
    if (!entry || entry.source === 'demo') throw await this.unknownModel(id);
    return entry.dir;
  }

  private async unknownModel(id: string): Promise<WorkbenchError> {
    const ids = (await this.list()).map((m) => m.id);
    return new WorkbenchError(
      'not-found',
      `No model "${id}" is registered.`,
      ids.length
        ? `Registered models: ${ids.join(', ')}. Add a model folder to use another.`
        : 'Add a model first: a compiled bundle folder or a Hugging Face checkpoint folder (LLaVA-1.5, Qwen2-VL, Qwen2.5-VL).',
    );
  }
}
