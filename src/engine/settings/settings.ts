/**
 * The engine's settings file, `<dataDir>/settings.json`: the recently opened folders and the user's
 * image pixel limit (`maxImagePixels`; null or absent = the default, library/imageErrors.ts).
 *
 * It is written whole to a temporary file and renamed over the old one, so a crash mid-write leaves
 * either the old file or the new one, never half of each. A file that cannot be read as settings
 * (hand-edited, truncated by a full disk) is moved aside and replaced by defaults with a warning:
 * losing the recent-folders list must never stop the app from starting. Keys this version does not
 * know are kept, so a newer version's settings survive a round trip through an older one.
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RecentFolder } from '../../common/contract/methods.ts';
import { writeFileAtomically } from '../library/atomic-write.ts';
import { MAX_IMAGE_PIXELS_CEILING } from '../library/imageErrors.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

const SettingsFile = z.looseObject({
  recentFolders: z.array(RecentFolder).default([]),
  maxImagePixels: z.number().int().positive().max(MAX_IMAGE_PIXELS_CEILING).nullable().default(null),
});
type SettingsFile = z.infer<typeof SettingsFile>;

export const maxRecentFolders = 12;

export interface SettingsOptions {
  /** Told about a corrupt file moved aside, or a write that failed. Defaults to console.warn. */
  onWarning?: (message: string) => void;
}

export class SettingsStore {
  readonly file: string;
  private state: Promise<SettingsFile> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly warn: (message: string) => void;

  constructor(dataDir: string, options: SettingsOptions = {}) {
    this.file = path.join(dataDir, 'settings.json');
    this.warn = options.onWarning ?? ((m) => console.warn(`warning: ${m}`));
  }

  /** Recently opened folders, newest first. */
  async recentFolders(): Promise<RecentFolder[]> {
    return [...(await this.load()).recentFolders];
  }

  /**
   * Puts a folder first among the recent ones (once, at most 12 kept) and saves. A failed save is
   * a warning, not an error: the list is still right for this session.
   */
  async addRecentFolder(folder: string, openedAt: Date = new Date()): Promise<RecentFolder[]> {
    const settings = await this.load();
    settings.recentFolders = [{ path: folder, openedAt: openedAt.toISOString() }, ...settings.recentFolders.filter((r) => r.path !== folder)].slice(
      0,
      maxRecentFolders,
    );
    await this.save(settings, 'recent folders will not be remembered');
    return [...settings.recentFolders];
  }

  /** The user's image pixel limit, or null for the default. */
  async maxImagePixels(): Promise<number | null> {
    return (await this.load()).maxImagePixels;
  }

  /** Sets (or, with null, clears) the user's image pixel limit and saves; a failed save is a warning. */
  async setMaxImagePixels(limit: number | null): Promise<number | null> {
    const settings = await this.load();
    settings.maxImagePixels = limit;
    await this.save(settings, 'the image pixel limit will not be remembered');
    return settings.maxImagePixels;
  }

  /** Resolves when every save so far has reached the disk (or failed with a warning). */
  flush(): Promise<void> {
    return this.writes;
  }

  private load(): Promise<SettingsFile> {
    this.state ??= this.read();
    return this.state;
  }

  private async read(): Promise<SettingsFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`Could not read ${this.file} (${(e as Error).message}); using default settings.`);
      return SettingsFile.parse({});
    }
    let reason: string;
    try {
      const parsed = SettingsFile.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    } catch (e) {
      reason = `not valid JSON: ${jsonSyntaxReason(e)}`;
    }
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.file, aside);
      this.warn(`The settings file ${this.file} was unreadable (${reason}). It was moved to ${aside} and the settings were reset.`);
    } catch (e) {
      this.warn(`The settings file ${this.file} was unreadable (${reason}) and could not be moved aside (${(e as Error).message}); the settings were reset.`);
    }
    return SettingsFile.parse({});
  }

  private save(settings: SettingsFile, lost: string): Promise<void> {
    const text = `${JSON.stringify(settings, null, 2)}\n`;
    this.writes = this.writes.then(() =>
      writeFileAtomically(this.file, text).catch((e: unknown) => {
        this.warn(`Could not save the settings to ${this.file} (${(e as Error).message}); ${lost}.`);
      }),
    );
    return this.writes;
  }
}
