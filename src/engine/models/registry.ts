/**
 * The registered models, `<dataDir>/models.json`: which bundle folders the workbench offers, under
 * which ids, and where each came from. Only the registration is stored; what a model is (layers,
 * heads, grid) is read from its bundle's manifest when listed, so the list never disagrees with
 * the bundle.
 *
 * Written whole to a temporary file and renamed into place, one write at a time. Unlike settings, a
 * failed save is an error: a model the user added must still be there after a restart. A file that
 * cannot be read as a registry is moved aside with a warning, and the list starts empty.
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../library/atomic-write.ts';
import { ResolvedCompile } from './compile-request.ts';

export const REGISTRY_FILE = 'models.json';

const RegisteredModel = z.object({
  id: z.string().min(1),
  /** The bundle folder (absolute). */
  dir: z.string().min(1),
  /** 'compiled': the workbench compiled it into its data folder (and may delete it); 'bundle': the user's folder, used where it is; 'demo': the shipped demo model's compiled bundle. */
  source: z.enum(['compiled', 'bundle', 'demo']),
  /** The checkpoint folder it was compiled from, for 'compiled' and 'demo'. */
  checkpoint: z.string().nullable(),
  addedAt: z.string(),
  /** 'compiled': the options it was compiled with (absent in registrations older than the options: read from its manifest then). */
  compile: ResolvedCompile.optional(),
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;

const RegistryFile = z.object({ version: z.literal(1), models: z.array(RegisteredModel) });

/** A readable id from a folder name: lower case letters, digits and dashes, at most 48 characters. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents, split off by NFKD
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug || 'model';
}

export interface RegistryOptions {
  onWarning?: (message: string) => void;
}

export class ModelRegistry {
  readonly file: string;
  private state: Promise<RegisteredModel[]> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly warn: (message: string) => void;

  constructor(dataDir: string, options: RegistryOptions = {}) {
    this.file = path.join(dataDir, REGISTRY_FILE);
    this.warn = options.onWarning ?? ((m) => console.warn(`warning: ${m}`));
  }

  async list(): Promise<RegisteredModel[]> {
    return [...(await this.load())];
  }

  async get(id: string): Promise<RegisteredModel | null> {
    return (await this.load()).find((m) => m.id === id) ?? null;
  }

  async findByDir(dir: string): Promise<RegisteredModel | null> {
    const want = path.resolve(dir);
    return (await this.load()).find((m) => path.resolve(m.dir) === want) ?? null;
  }

  /** The bundles the workbench compiled from `checkpoint`, one per set of compile options, in the order they were added. */
  async compiledFrom(checkpoint: string): Promise<RegisteredModel[]> {
    const want = path.resolve(checkpoint);
    return (await this.load()).filter((m) => m.source === 'compiled' && m.checkpoint !== null && path.resolve(m.checkpoint) === want);
  }

  /** `base`, or `base-2`, `base-3`, … : the first that is neither registered nor refused by `taken`. */
  async freeId(base: string, taken: (id: string) => boolean | Promise<boolean> = () => false): Promise<string> {
    const models = await this.load();
    for (let n = 1; ; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      if (!models.some((m) => m.id === id) && !(await taken(id))) return id;
    }
  }

  /** Adds a model, or replaces the one with the same id, and saves. */
  async put(model: RegisteredModel): Promise<void> {
    const models = await this.load();
    const i = models.findIndex((m) => m.id === model.id);
    if (i >= 0) models[i] = model;
    else models.push(model);
    await this.save(models);
  }

  /** Removes a model and saves; the removed registration, or null when there was none. */
  async remove(id: string): Promise<RegisteredModel | null> {
    const models = await this.load();
    const i = models.findIndex((m) => m.id === id);
    if (i < 0) return null;
    const [removed] = models.splice(i, 1);
    await this.save(models);
    return removed ?? null;
  }

  private load(): Promise<RegisteredModel[]> {
    this.state ??= this.read();
    return this.state;
  }

  private async read(): Promise<RegisteredModel[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`Could not read ${this.file} (${(e as Error).message}); no models are registered.`);
      return [];
    }
    let reason: string;
    try {
      const parsed = RegistryFile.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data.models;
      reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    } catch (e) {
      reason = (e as Error).message;
    }
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await rename(this.file, aside).catch(() => undefined);
    this.warn(`${this.file} could not be read as the model list (${reason}); it was moved to ${aside}. Add your models again.`);
    return [];
  }

  private save(models: RegisteredModel[]): Promise<void> {
    const text = `${JSON.stringify({ version: 1, models }, null, 2)}\n`;
    const write = this.writes.then(async () => {
      await writeFileAtomically(this.file, text);
    });
    // The chain goes on after a failure; this caller still sees it.
    this.writes = write.catch(() => undefined);
    return write;
  }
}
