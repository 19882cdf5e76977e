/**
 * The one API contract between the workbench UI and its engine. Every transport (Electron IPC,
 * HTTP/WebSocket in serve mode) carries exactly these methods, and every request is validated
 * against its schema at the host boundary, since the renderer is untrusted.
 *
 * A method is a call with a request, a response and, for long work, progress events. Every call
 * can be cancelled; cancellation is cooperative (the handler sees an AbortSignal).
 */
import { z } from 'zod';
import { METHOD_IDS } from '../laser/knobs.ts';
import { INPUT_ROLES, recordJsonSchema } from '../laser/record.ts';

/** A filesystem path as the host sees it. Paths are opaque strings to the renderer. */
const HostPath = z.string().min(1).max(4096);

export const ImageEntry = z.object({
  /** Absolute path on the host. */
  path: HostPath,
  /** Path relative to the scanned root, with '/' separators, for display. */
  relPath: z.string(),
  /** Display name; lossy (U+FFFD) where the file name is not valid UTF-8. */
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  /** Pixel size, present when the header could be read. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  format: z.string().optional(),
  /** Present when the file is broken: what is wrong with it, in words. */
  error: z.string().optional(),
});
export type ImageEntry = z.infer<typeof ImageEntry>;

export const ScanProgress = z.object({
  /** Newly found entries since the last event, in discovery order. */
  entries: z.array(ImageEntry),
  /** Totals so far. */
  found: z.number().int().nonnegative(),
  broken: z.number().int().nonnegative(),
  directoriesVisited: z.number().int().nonnegative(),
});
export type ScanProgress = z.infer<typeof ScanProgress>;

export const ScanSummary = z.object({
  root: HostPath,
  found: z.number().int().nonnegative(),
  broken: z.number().int().nonnegative(),
  directoriesVisited: z.number().int().nonnegative(),
  /** Problems that did not stop the scan (an unreadable sub-folder, a symlink loop), in words. */
  warnings: z.array(z.string()),
  elapsedMs: z.number().nonnegative(),
});
export type ScanSummary = z.infer<typeof ScanSummary>;

export const DirectoryListing = z.object({
  path: HostPath,
  parent: HostPath.nullable(),
  directories: z.array(z.object({ name: z.string(), path: HostPath })),
  imageCount: z.number().int().nonnegative(),
});
export type DirectoryListing = z.infer<typeof DirectoryListing>;

export const RecentFolder = z.object({ path: HostPath, openedAt: z.string() });
export type RecentFolder = z.infer<typeof RecentFolder>;

export const ImageDetails = z.object({
  path: HostPath,
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  format: z.string(),
  channels: z.number().int().positive(),
  hasAlpha: z.boolean(),
  contentHash: z.string(),
});
export type ImageDetails = z.infer<typeof ImageDetails>;

/** A question a generated world (`laser world generate`, the bundled samples) asks about an image, with its truth. */
export const ImageQuestion = z.object({
  id: z.string(),
  question: z.string(),
  /** The one-word true answer. */
  answer: z.string(),
  family: z.string(),
  /** Size class of the target object; null when there is none (an absent object). */
  size: z.enum(['small', 'medium', 'large']).nullable(),
  /** The target's box [x0, y0, x1, y1] in image pixels (ends exclusive); null when there is none. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
});
export type ImageQuestion = z.infer<typeof ImageQuestion>;

export const HostInfo = z.object({
  version: z.string(),
  transport: z.enum(['electron', 'http', 'cli']),
  platform: z.string(),
  homeDir: HostPath,
  /** The folder that opens on first start (the bundled samples), if any. */
  defaultFolder: HostPath.nullable(),
  canPickFolderNatively: z.boolean(),
});
export type HostInfo = z.infer<typeof HostInfo>;

/** The most pixels the image pixel limit may be set to: 2^31 - 1, a bit above 46000 x 46000. */
export const maxImagePixelsCeiling = 2_147_483_647;

/**
 * The user's settings. `maxImagePixels`: the most pixels an image may have to be opened (thumbnails,
 * details, runs); larger ones are refused from their header before any pixel is decoded.
 */
export const Settings = z.object({
  maxImagePixels: z.object({
    /** The limit in force. */
    value: z.number().int().positive(),
    /** The user's setting, or null for the default. */
    setting: z.number().int().positive().nullable(),
    default: z.number().int().positive(),
    /** The most the setting accepts. */
    ceiling: z.number().int().positive(),
    /** Set when the host's LASER_MAX_IMAGE_PIXELS overrides the setting for this session. */
    overriddenBy: z.string().nullable(),
  }),
});
export type Settings = z.infer<typeof Settings>;

/** A registered model: a compiled bundle the workbench can run. */
export const ModelInfo = z.object({
  /** Stable id ('laser-demo' for the shipped demo model). */
  id: z.string(),
  name: z.string(),
  /** The bundle folder; null while the demo model has not been compiled yet. */
  dir: HostPath.nullable(),
  architecture: z.string(),
  dtype: z.string(),
  /** An int8 / int4 bundle's quantisation (its manifest's); null for fp32 / fp16 and before compiling. */
  quantization: z
    .object({
      blockSize: z.number().int().positive(),
      symmetric: z.boolean(),
      accuracyLevel: z.number().int(),
      lmHead: z.boolean(),
      embeddings: z.boolean(),
      vision: z.boolean(),
    })
    .nullable(),
  layers: z.number().int().nonnegative(),
  heads: z.number().int().nonnegative(),
  /** Patch grid [gh, gw]; null where each image gets its own grid (any-resolution models such as Qwen2-VL). */
  grid: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).nullable(),
  hasTokenizer: z.boolean(),
  /** 'demo': the shipped demo model; 'compiled': compiled by the workbench from a checkpoint; 'bundle': an existing bundle folder registered as it is. */
  source: z.enum(['demo', 'compiled', 'bundle']),
  /** When the bundle was compiled (its manifest's createdAt); null when not compiled yet. */
  compiledAt: z.string().nullable(),
  /** 'ready'; 'not-compiled' (the demo model compiles on first use); 'unavailable': see `problem`. */
  status: z.enum(['ready', 'not-compiled', 'unavailable']),
  /** Why the model cannot be used now (its folder was moved or damaged), in words; null when it can. */
  problem: z.string().nullable(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** Compiling a checkpoint: the phase, tensors converted so far, bytes written or hashed so far. */
export const CompileProgress = z.object({
  stage: z.enum(['weights', 'hashing']),
  tensorsDone: z.number().int().nonnegative(),
  tensorsTotal: z.number().int().nonnegative(),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
});
export type CompileProgress = z.infer<typeof CompileProgress>;

/**
 * How a Hugging Face checkpoint is compiled: `laser compile`'s flags as one request, so the app
 * (`models.add`) and the CLI compile with the same choices and the same checks. Everything left
 * out takes the compiler's default (src/engine/compiler/compile.ts CompileOptions; quantisation
 * defaults in src/common/compile-options.ts, whose block sizes and accuracy levels these are).
 */
export const CompileOptionsRequest = z
  .object({
    /** Weight type in the graphs: fp32 (default), fp16, or weight-only int8 / int4. */
    dtype: z.enum(['fp32', 'fp16', 'int8', 'int4']).optional(),
    /** int8 / int4 only: blocks, zero points and which tensors besides the decoder's Linear layers. */
    quantize: z
      .object({
        blockSize: z.union([z.literal(32), z.literal(64), z.literal(128)]).optional(),
        symmetric: z.boolean().optional(),
        accuracyLevel: z.union([z.literal(0), z.literal(4)]).optional(),
        lmHead: z.boolean().optional(),
        embeddings: z.boolean().optional(),
        vision: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** LLaVA: the preprocessing recorded in the bundle (default pad). */
    imageMode: z.enum(['pad', 'crop']).optional(),
    /** Qwen2-VL: smart_resize pixel bounds recorded in the bundle (default: the checkpoint's). */
    minPixels: z.number().int().positive().optional(),
    maxPixels: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.quantize && Object.keys(o.quantize).length > 0 && o.dtype !== 'int8' && o.dtype !== 'int4') {
      ctx.addIssue({ code: 'custom', path: ['quantize'], message: `quantisation options apply to dtype int8 or int4, not ${o.dtype ?? 'fp32'}` });
    }
    if (o.minPixels !== undefined && o.maxPixels !== undefined && o.minPixels > o.maxPixels) {
      ctx.addIssue({ code: 'custom', path: ['minPixels'], message: `minPixels (${o.minPixels}) is larger than maxPixels (${o.maxPixels})` });
    }
  });
export type CompileOptionsRequest = z.infer<typeof CompileOptionsRequest>;

/**
 * One knob of a method, described from src/common/laser/knobs.ts so the UI renders forms without
 * its own copy of the spec. `kind` picks the widget; `range` says the valid values in words.
 */
export const KnobDescriptor = z.object({
  name: z.string(),
  kind: z.enum(['boolean', 'integer', 'number', 'enum', 'count', 'layer-range']),
  /** The spec default (JSON value: null where the knob defaults to off). */
  default: z.unknown(),
  nullable: z.boolean(),
  /** Numeric bounds where the knob has them (`minExclusive`: the bound itself is not allowed). */
  min: z.number().nullable(),
  max: z.number().nullable(),
  minExclusive: z.boolean(),
  /** The allowed values of an 'enum' knob. */
  options: z.array(z.string()).nullable(),
  /** The valid values in words, as error messages state them. */
  range: z.string(),
  description: z.string(),
});
export type KnobDescriptor = z.infer<typeof KnobDescriptor>;

export const MethodId = z.enum(METHOD_IDS);

export const LaserMethodInfo = z.object({ id: MethodId, description: z.string(), knobs: z.array(KnobDescriptor) });
export type LaserMethodInfo = z.infer<typeof LaserMethodInfo>;

/** A stage of a run (src/engine/laser/stages.ts), with the step within it (tokens for decoding). */
export const LaserProgress = z.object({
  stage: z.string(),
  step: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
  /** Set while the model (the demo model on first use) is compiling. */
  compile: CompileProgress.optional(),
});
export type LaserProgress = z.infer<typeof LaserProgress>;

/** The record as record.json holds it (non-finite logits as the strings "-Infinity", "Infinity", "NaN"). */
export const AnalysisRecordJson = recordJsonSchema;
export type AnalysisRecordJson = z.infer<typeof AnalysisRecordJson>;

/** A rectangle [x0, y0, x1, y1] in original-image pixels, fractional, ends exclusive. */
const PixelRect = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/**
 * What views draw, already laid out: maps as plain numbers in row-major grid order (cell j at row
 * j // gw, column j % gw), and each cell's rectangle on the original image (it may reach into the
 * padding of a pad-to-square input, outside the image), so the renderer needs no geometry code.
 * VAQ per layer and per head are in the record (`vaq`, `vaqHeads`). Null: the method does not make it.
 */
export const LaserViews = z.object({
  /** [gh, gw]. */
  grid: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  /** Cell j's rectangle in original-image pixels. */
  cells: z.array(PixelRect),
  /** The localisation map [gh * gw] (sums to 1); vicrop-rel: the relative attention map. */
  map: z.array(z.number()).nullable(),
  /** Contrastive attention per layer, mean over heads: [L][gh * gw]. */
  contrastive: z.array(z.array(z.number())).nullable(),
  /** Query-pass attention at the chosen layer, mean over heads [gh * gw]. */
  queryAttention: z.array(z.number()).nullable(),
  /** No-query (vicrop-rel: generic-prompt) attention at the chosen layer, mean over heads [gh * gw]. */
  baseAttention: z.array(z.number()).nullable(),
});
export type LaserViews = z.infer<typeof LaserViews>;

/** One stored run, as lists show it. */
export const LaserRecordSummary = z.object({
  /** The record id (its cache key); `laser.record` loads it. */
  id: z.string(),
  createdAt: z.string(),
  method: MethodId,
  question: z.string(),
  answer: z.string(),
  imagePath: HostPath,
  /** The model's bundle name and id (sha256 of its manifest). */
  modelName: z.string(),
  bundleId: z.string(),
  layer: z.number().int().nullable(),
});
export type LaserRecordSummary = z.infer<typeof LaserRecordSummary>;

export const InputRole = z.enum(INPUT_ROLES);
export type InputRole = z.infer<typeof InputRole>;

/** An analysis record's id: its cache key. */
const RecordId = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * One image the model got, as the record stores it (record.inputs), with its picture as a media
 * ref and its own attention, so a view can draw the map at that image's own grid. The picture is
 * the encoder's input (after preprocessing), so grid cell j covers the rectangle
 * [c * width / cols, r * height / rows, (c + 1) * width / cols, (r + 1) * height / rows] of it.
 */
export const InputImage = z.object({
  role: InputRole,
  /** Pixel size of the picture (the encoder's input). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Pixel size of the view before preprocessing. */
  sourceWidth: z.number().int().positive(),
  sourceHeight: z.number().int().positive(),
  /** Its own token grid [rows, cols]. */
  grid: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  /** The rule that made it, as the record states it (kind: original, crop, mask, mask-crop, noise). */
  rule: z.looseObject({ kind: z.string() }),
  /** The streams it was fed in, in words; [] = made only to derive another input. */
  fedIn: z.array(z.string()),
  /** Its picture. */
  media: z.object({ kind: z.literal('record-input'), id: RecordId, role: InputRole }),
  /** Attention of the last prompt position onto its cells, per layer, mean over heads: [L][rows * cols]; null when not fed. */
  attention: z.array(z.array(z.number())).nullable(),
});
export type InputImage = z.infer<typeof InputImage>;

/** The options of a run that a caller may set (`laser run --max-new-tokens 8 --instruction ''`, or the UI). */
export const RunOptionsRequest = z
  .object({
    maxNewTokens: z.number().int().min(1).max(4096).optional(),
    instruction: z.string().max(4000).optional(),
    minPixels: z.number().int().positive().optional(),
    maxPixels: z.number().int().positive().optional(),
  })
  .strict();

/** Font files for PDF figures, base64 (figures.pdfFonts). */
export const PdfFontFiles = z.object({
  faces: z.array(z.object({ face: z.enum(['sans', 'sansBold', 'mono', 'monoBold']), ttf: z.string() })),
});
export type PdfFontFiles = z.infer<typeof PdfFontFiles>;

/** A layer's contrastive attention per head (laser.headMaps). */
export const HeadMaps = z.object({
  layer: z.number().int().nonnegative(),
  /** A at `layer` for each head: [H][gh * gw]. */
  heads: z.array(z.array(z.number())),
});
export type HeadMaps = z.infer<typeof HeadMaps>;

export const LaserResult = z.object({
  id: z.string(),
  /** The run was answered from the record cache (the model did not run). */
  cached: z.boolean(),
  record: AnalysisRecordJson,
  views: LaserViews,
  /** Every image the model got, I first (record.inputs). */
  inputImages: z.array(InputImage),
});
export type LaserResult = z.infer<typeof LaserResult>;

/**
 * A run folder of `laser eval --run` as the Runs view lists it (src/engine/service/runs.ts): rows
 * done of those expected, the running metric, and, for a running one, rate and ETA from polling.
 */
export const RunInfo = z.object({
  dir: HostPath,
  /** The folder under the root it was found in ("pope/shard-0"). */
  name: z.string(),
  /** The root it was found under: the data folder's runs/, or a folder opened in the view. */
  root: HostPath,
  dataset: z.string(),
  format: z.string(),
  model: z.string(),
  methods: z.array(z.string()),
  /** "i/n" for a shard. */
  shard: z.string().nullable(),
  rows: z.number().int().nonnegative(),
  expected: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** complete: every row there; running: rows still being written; stopped: ended or killed before the end. */
  state: z.enum(['running', 'stopped', 'complete']),
  startedAt: z.string().nullable(),
  /** When results.jsonl was last written. */
  updatedAt: z.string().nullable(),
  /** Rows per second while running; null until it can tell. */
  rate: z.number().nonnegative().nullable(),
  etaMs: z.number().nonnegative().nullable(),
  /** Mean score of the scored rows (0..1), null before the first. */
  metric: z.number().nullable(),
  /** Why the folder cannot be read (a broken manifest or row), in words; null when it can. */
  problem: z.string().nullable(),
});
export type RunInfo = z.infer<typeof RunInfo>;

/** One row of results.jsonl as the Runs view lists it. */
export const RunRowInfo = z.object({
  id: z.string(),
  method: z.string(),
  status: z.enum(['ok', 'error']),
  prediction: z.string(),
  score: z.number().nullable(),
  reason: z.string().nullable(),
  /** The record's id in the record cache, null without one. */
  record: z.string().nullable(),
});
export type RunRowInfo = z.infer<typeof RunRowInfo>;

const Empty = z.object({}).strict();
const NoProgress = z.never();

/** One method of a table (host.ts's OpSpec): request, response and progress schemas; no progress by default. */
export function method<Req extends z.ZodType, Res extends z.ZodType, Prog extends z.ZodType = typeof NoProgress>(request: Req, response: Res, progress?: Prog) {
  return { request, response, progress: (progress ?? NoProgress) as Prog };
}

export const methods = {
  /** What host the UI is talking to. */
  'host.info': method(Empty, HostInfo),
  /** Lists sub-folders of a host folder (serve mode's folder picker). Names only; no file content. */
  'library.listDirectory': method(z.object({ path: HostPath }).strict(), DirectoryListing),
  /**
   * Opens a folder: it becomes readable through media URLs, is remembered among recent folders,
   * and is scanned recursively for images; entries stream as progress events.
   */
  'library.scan': method(z.object({ root: HostPath }).strict(), ScanSummary, ScanProgress),
  /** Recently opened folders, newest first. */
  'library.recent': method(Empty, z.array(RecentFolder)),
  /** The user's settings, with the defaults and what overrides them. */
  'settings.get': method(Empty, Settings),
  /** Changes the settings given (null: back to the default), saves them, and returns them all. */
  'settings.update': method(
    z
      .object({ maxImagePixels: z.number().int().positive().max(maxImagePixelsCeiling).nullable() })
      .partial()
      .strict(),
    Settings,
  ),
  /** Full details of one image in an opened folder (decodes the header, hashes the content). */
  'library.imageDetails': method(z.object({ path: HostPath }).strict(), ImageDetails),
  /** The questions a generated world asks about this image, with their truth ([] for any other image). */
  'library.imageQuestions': method(z.object({ path: HostPath }).strict(), z.array(ImageQuestion)),
  /** Registered models, the demo model first (present even before it is compiled). */
  'models.list': method(Empty, z.array(ModelInfo)),
  /**
   * Registers a model from a folder: a compiled bundle is validated and used where it is; a Hugging
   * Face checkpoint is compiled into the workbench's data folder first (progress; cancellable), with
   * `compile`'s options.
   */
  'models.add': method(
    z
      .object({
        path: HostPath,
        /** How a checkpoint is compiled (laser compile's flags); ignored for a compiled bundle. A checkpoint gets a bundle per set of options: the same options again give the bundle made before. */
        compile: CompileOptionsRequest.optional(),
      })
      .strict(),
    ModelInfo,
    CompileProgress,
  ),
  /** Unregisters a model. Deletes only bundles the workbench compiled into its own data folder. */
  'models.remove': method(z.object({ id: z.string().min(1) }).strict(), z.object({ removed: z.boolean() })),
  /** The methods a run can use, each with its knobs described for a form. */
  'laser.methods': method(Empty, z.array(LaserMethodInfo)),
  /**
   * Runs one method on one image (inside an opened folder) and question; progress per stage. Knobs
   * left out take their defaults; a bad knob is a 'bad-request' naming it.
   */
  'laser.run': method(
    z
      .object({
        modelId: z.string().min(1),
        imagePath: HostPath,
        question: z.string().max(4000),
        method: MethodId,
        knobs: z.record(z.string(), z.unknown()).optional(),
        /** Prompt and decoding options; left out: the defaults (src/engine/laser/run-method.ts). */
        options: RunOptionsRequest.optional(),
        /** Run the model even when a stored run matches; the new record replaces it. */
        rerun: z.boolean().optional(),
      })
      .strict(),
    LaserResult,
    LaserProgress,
  ),
  /** Stored runs on one image (matched by content), newest first. */
  'laser.records': method(z.object({ imagePath: HostPath }).strict(), z.array(LaserRecordSummary)),
  /**
   * The font files figures embed in their PDFs (Liberation Sans and Mono where the host has them),
   * so the app's PDF export embeds the same faces as `laser figure`. Faces the host lacks are left out.
   */
  'figures.pdfFonts': method(Empty, PdfFontFiles),
  /** Loads one stored run. */
  'laser.record': method(z.object({ id: RecordId }).strict(), LaserResult),
  /**
   * One layer of a stored run's contrastive attention A, head by head ([H][gh * gw], grid order, the
   * read-out positions averaged), for views that show one head or the top-k heads instead of the
   * head mean. Not in LaserResult: all layers x heads would be L x H x N numbers (590k for LLaVA-7B).
   */
  'laser.headMaps': method(z.object({ id: RecordId, layer: z.number().int().nonnegative() }).strict(), HeadMaps),
  /**
   * Run folders of `laser eval --run` under the data folder's runs/ and under every folder opened
   * here (this call's `folder` joins them for the session), with their progress; poll it to follow
   * a running one.
   */
  'runs.list': method(z.object({ folder: HostPath.optional() }).strict(), z.object({ roots: z.array(HostPath), runs: z.array(RunInfo) })),
  /** Rows of a listed run folder, in file order. */
  'runs.rows': method(
    z.object({ dir: HostPath, offset: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
    z.object({ total: z.number().int().nonnegative(), rows: z.array(RunRowInfo) }),
  ),
  /** `laser report`'s HTML of a listed run folder (one self-contained page: tables, intervals, SVG charts, manifest). */
  'runs.report': method(z.object({ dir: HostPath }).strict(), z.object({ html: z.string() })),
  /** Opens the image of a row's record (its folder becomes an opened folder) and returns it, for its analysis. */
  'runs.sample': method(z.object({ dir: HostPath, record: RecordId }).strict(), ImageEntry),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type RequestOf<M extends MethodName> = z.input<Methods[M]['request']>;
export type ResponseOf<M extends MethodName> = z.output<Methods[M]['response']>;
export type ProgressOf<M extends MethodName> = z.output<Methods[M]['progress']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/**
 * Images and thumbnails are not carried over the call channel: each transport turns a MediaRef into
 * a URL that the renderer can put in an <img>. The host only serves files inside opened folders,
 * and the input images of the records in its data folder ('record-input').
 */
export type MediaRef =
  { kind: 'thumbnail'; path: string; size: number } | { kind: 'original'; path: string } | { kind: 'record-input'; id: string; role: InputRole };

export const thumbnailSizes = [128, 256, 512] as const;
export const MediaQuery = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('thumbnail'),
    path: HostPath,
    size: z.coerce
      .number()
      .int()
      .refine((n) => (thumbnailSizes as readonly number[]).includes(n), 'size must be 128, 256 or 512'),
  }),
  z.object({ kind: z.literal('original'), path: HostPath }),
  z.object({ kind: z.literal('record-input'), id: RecordId, role: InputRole }),
]);
