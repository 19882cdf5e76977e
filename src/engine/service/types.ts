/**
 * The engine as its hosts see it. The Electron utility process, the serve-mode server and the CLI
 * all build one Workbench and talk to it through these two faces: the contract's handlers for
 * calls, and the media service for image bytes (thumbnails, originals) that travel as URLs.
 */
import type { Handlers } from '../../common/contract/host.ts';
import type { MediaRef } from '../../common/contract/methods.ts';
import type { InferenceClient } from '../inference/client.ts';

export interface MediaResponse {
  /** Either the bytes, or a file on disk that the host should stream. */
  body: { bytes: Buffer } | { file: string };
  contentType: string;
  bytes: number;
}

export interface MediaService {
  /** Throws WorkbenchError: 'outside-opened-folders' for any path not inside an opened folder. */
  get(ref: MediaRef): Promise<MediaResponse>;
}

export interface WorkbenchOptions {
  /** Where settings (recent folders) and caches (thumbnails) live. */
  dataDir: string;
  transport: 'electron' | 'http' | 'cli';
  /** Where runs are stored and looked up (default: the data folder; `laser run --cache <dir>`). */
  recordsDir?: string;
  /** How the inference worker opens models (`--device`, `--threads`); default: CUDA when available, threads chosen by onnxruntime. */
  runtime?: { device?: 'auto' | 'cpu' | 'cuda'; threads?: number };
  /** Folder opened on first start (the bundled samples), if any. */
  defaultFolder?: string | null;
  canPickFolderNatively?: boolean;
  /**
   * The shipped demo model (a Hugging Face checkpoint folder, compiled into `<dataDir>/bundles` on
   * first use, or a bundle). Default: resources/models/laser-demo of the source tree; null: none.
   */
  demoModelDir?: string | null;
  /** Runs model work; default: a worker thread started on first use (src/engine/inference). */
  inference?: InferenceClient;
}

export interface Workbench {
  handlers: Handlers;
  media: MediaService;
  /**
   * Opens a folder for runs and media without scanning it or adding it to the recent folders: a
   * host's own trusted request (the CLI runs on an image the user named), never the renderer's.
   */
  openFolder(folder: string): Promise<void>;
  dispose(): Promise<void>;
}
