/**
 * Opens a bundle folder: reads and validates manifest.json and checks that every file it names is
 * there, so that a runtime can trust the result. Every failure is a WorkbenchError saying what is
 * wrong with which file ('invalid-bundle', or 'not-found' / 'not-a-directory' for the folder).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, READABLE_FORMAT_VERSIONS, manifestSchema, type BundleManifest } from './manifest.ts';
import { jsonSyntaxReason } from '../library/json-errors.ts';

export interface OpenedBundle {
  dir: string;
  manifest: BundleManifest;
  /** Absolute paths of the three graphs (and of the optional full-attention decoder, or null). */
  graphs: { vision: string; embed: string; decoder: string; decoderAttention: string | null };
  /** Absolute path of the tokenizer folder, or null. */
  tokenizerDir: string | null;
}

const recompile = 'Recompile it with `laser compile <checkpoint> <bundle>`.';

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

function describe(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v);
}

export async function openBundle(dir: string): Promise<OpenedBundle> {
  const st = await stat(dir).catch(() => null);
  if (!st) throw new WorkbenchError('not-found', `${dir}: no such folder`, 'Pass the folder that `laser compile` wrote.');
  if (!st.isDirectory()) throw new WorkbenchError('not-a-directory', `${dir} is not a folder`, 'Pass the bundle folder, not a file inside it.');

  const manifestPath = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new WorkbenchError('invalid-bundle', `${dir}: no manifest.json, so this is not a LASER bundle (or its compile did not finish)`, recompile);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorkbenchError('invalid-bundle', `${manifestPath}: not valid JSON (${jsonSyntaxReason(e)})`, recompile);
  }
  const head = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (head.format !== BUNDLE_FORMAT)
    throw new WorkbenchError('invalid-bundle', `${manifestPath}: format is ${describe(head.format)}, not "${BUNDLE_FORMAT}"`, recompile);
  if (!(READABLE_FORMAT_VERSIONS as readonly unknown[]).includes(head.formatVersion)) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${manifestPath}: bundle format version ${describe(head.formatVersion)}; this build reads versions ${READABLE_FORMAT_VERSIONS.join(' and ')}`,
      typeof head.formatVersion === 'number' && head.formatVersion > BUNDLE_FORMAT_VERSION
        ? 'Update LASER Workbench, or recompile the bundle with this version.'
        : recompile,
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    throw new WorkbenchError('invalid-bundle', `${manifestPath}: field "${path}" is invalid (${issue?.message ?? parsed.error.message})`, recompile);
  }
  const manifest = parsed.data;

  const m = manifest.graphs;
  const graphs = {
    vision: join(dir, m.vision),
    embed: join(dir, m.embed),
    decoder: join(dir, m.decoder),
    decoderAttention: m.decoderAttention ? join(dir, m.decoderAttention) : null,
  };
  const needed = [graphs.vision, `${graphs.vision}.data`, graphs.embed, `${graphs.embed}.data`, graphs.decoder, `${graphs.decoder}.data`];
  if (graphs.decoderAttention) needed.push(graphs.decoderAttention); // its weights are decoder.onnx.data
  for (const f of needed) {
    if (!(await isFile(f))) throw new WorkbenchError('invalid-bundle', `${dir}: missing ${f.slice(dir.length + 1)}`, `The bundle is incomplete. ${recompile}`);
  }
  let tokenizerDir: string | null = null;
  if (manifest.tokenizer) {
    tokenizerDir = join(dir, manifest.tokenizer.dir);
    for (const f of manifest.tokenizer.files) {
      if (!(await isFile(join(tokenizerDir, f))))
        throw new WorkbenchError(
          'invalid-bundle',
          `${dir}: missing ${manifest.tokenizer.dir}/${f}, which manifest.json lists`,
          `The bundle is incomplete. ${recompile}`,
        );
    }
  }
  return { dir, manifest, graphs, tokenizerDir };
}
