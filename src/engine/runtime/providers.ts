/**
 * Execution-provider choice for onnxruntime-node sessions: try CUDA, fall back to the CPU provider
 * that ships inside the package.
 *
 * onnxruntime-node does not fall back by itself: a session asked for ['cuda', 'cpu'] whose CUDA
 * provider library cannot be loaded fails outright ("Failed to load shared library"). So the
 * factory probes once, on the first session it creates, remembers the outcome for every later
 * session (vision, embed, decoder), and logs the reason CUDA was not used exactly once.
 *
 * Sessions are created from file paths, never from buffers, so that each graph's external weights
 * (`<graph>.onnx.data`) resolve beside it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../../common/contract/errors.ts';

export type DeviceRequest = 'auto' | 'cuda' | 'cpu';
export type Provider = 'cuda' | 'cpu';

export const deviceRequests: readonly DeviceRequest[] = ['auto', 'cuda', 'cpu'];

export interface SessionFactoryOptions {
  device?: DeviceRequest;
  /** ORT intra-op threads; 0 or undefined lets ORT pick (one per physical core). */
  threads?: number;
  /** Receives one line when auto mode falls back to the CPU. */
  log?: (line: string) => void;
  /** Where the CUDA provider library is looked for; defaults to onnxruntime-node's own bin folder. */
  providerLibraryDir?: string;
  graphOptimizationLevel?: ort.InferenceSession.SessionOptions['graphOptimizationLevel'];
  /**
   * Runs once before the first CPU session is created (whether cpu was asked for or auto fell back
   * to it); throwing stops the load (the runtime refuses fp16 bundles that would not fit, memory.ts).
   */
  beforeCpu?: () => Promise<void>;
  /**
   * Turn on onnxruntime's profiler: each session writes `<profilePrefix>-<graph>_<time>.json` (Chrome
   * trace events, one per kernel run) when its profiling ends (`ModelRuntime.endProfiling`). For
   * benchmarks: the profiler adds a little time to every kernel.
   */
  profilePrefix?: string;
  /**
   * onnxruntime's CPU memory arena (default on): with it, memory a run allocates is kept for the next
   * run instead of being freed (see README.md, "Memory", for what it measured at 7B).
   */
  cpuMemArena?: boolean;
  /**
   * onnxruntime's memory patterns (default on): a run plans its intermediate tensors into one block
   * per set of input shapes. For measuring (bench/memory.ts --no-mem-pattern).
   */
  memPattern?: boolean;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: Provider;
  /** Wall time of InferenceSession.create, in milliseconds (graph load, weights, optimisation). */
  createMs: number;
}

/**
 * How to get the CUDA provider for onnxruntime-node 1.30. This project's .npmrc sets npm's
 * `ignore-scripts=true`, so its postinstall script (script/install.js) never runs under npm, and
 * package.json's allowScripts denies it on npms that read that field. Run by hand, the script
 * (install-utils.js parseInstallFlag) reads the environment variable ONNXRUNTIME_NODE_INSTALL
 * first; `true` forces the download of the `cuda12` manifest on linux/x64
 * (libonnxruntime_providers_{cuda,shared,tensorrt}.so from the Microsoft.ML.OnnxRuntime.Gpu.Linux
 * NuGet package). Running it with node directly is the one instruction that works whatever npm's
 * version or script policy.
 */
export const cudaInstallHint =
  "Install the CUDA provider of onnxruntime-node (this project's .npmrc runs no install scripts, so its download is skipped): on a machine with an NVIDIA GPU, " +
  'CUDA 12 and cuDNN 9, run `ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js`. It downloads the provider libraries from nuget.org into ' +
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/. Or use --device cpu.';

/** The folder where onnxruntime-node loads provider libraries from (beside its binding). */
export function defaultProviderLibraryDir(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
}

/** The files onnxruntime loads for the CUDA provider (the shared bridge, then the provider itself). */
function cudaLibraryNames(): string[] | null {
  if (process.platform === 'linux' && process.arch === 'x64') return ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];
  if (process.platform === 'win32' && process.arch === 'x64') return ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll'];
  return null;
}

/** Why CUDA cannot be tried at all, or null when its provider libraries are present. */
export function cudaUnavailableReason(libraryDir: string): string | null {
  const names = cudaLibraryNames();
  if (names === null) return `onnxruntime-node has no CUDA provider for ${process.platform}/${process.arch}`;
  const missing = names.filter((n) => !existsSync(join(libraryDir, n)));
  if (missing.length > 0) return `the CUDA provider library is not installed (${missing.join(' and ')} missing from ${libraryDir})`;
  return null;
}

export class SessionFactory {
  readonly device: DeviceRequest;
  readonly threads: number;
  private readonly log: (line: string) => void;
  private readonly libraryDir: string;
  private readonly optimization: SessionFactoryOptions['graphOptimizationLevel'];
  /** Settled after the first session: the provider every later session uses. */
  private chosen: Provider | null = null;
  private reason: string | null = null;
  private beforeCpu: (() => Promise<void>) | null;
  private readonly profilePrefix: string | null;
  private readonly cpuMemArena: boolean;
  private readonly memPattern: boolean;

  constructor(options: SessionFactoryOptions = {}) {
    this.device = options.device ?? 'auto';
    if (!deviceRequests.includes(this.device)) {
      throw new WorkbenchError('bad-request', `Unknown device "${String(this.device)}".`, 'Use auto, cuda or cpu.');
    }
    const threads = options.threads ?? 0;
    if (!Number.isInteger(threads) || threads < 0) {
      throw new WorkbenchError('bad-request', `Threads must be a non-negative integer, got ${threads}.`, 'Use 0 to let onnxruntime choose.');
    }
    this.threads = threads;
    this.log = options.log ?? (() => {});
    this.libraryDir = options.providerLibraryDir ?? defaultProviderLibraryDir();
    this.optimization = options.graphOptimizationLevel ?? 'all';
    this.beforeCpu = options.beforeCpu ?? null;
    this.profilePrefix = options.profilePrefix ?? null;
    this.cpuMemArena = options.cpuMemArena ?? true;
    this.memPattern = options.memPattern ?? true;
    if (this.device === 'cpu') this.chosen = 'cpu';
  }

  /** The provider in use once a session exists (null before the first one in auto/cuda mode). */
  get provider(): Provider | null {
    return this.chosen;
  }

  /** Why auto mode did not use CUDA (null when it did, or when cpu was asked for). */
  get fallbackReason(): string | null {
    return this.reason;
  }

  async create(modelPath: string): Promise<CreatedSession> {
    if (this.chosen === 'cpu') return this.createWith(modelPath, 'cpu');
    if (this.chosen === 'cuda') return this.createWith(modelPath, 'cuda');
    const missing = cudaUnavailableReason(this.libraryDir);
    let failure = missing;
    if (missing === null) {
      try {
        const created = await this.createWith(modelPath, 'cuda');
        this.chosen = 'cuda';
        return created;
      } catch (e) {
        failure = `creating a CUDA session failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    if (this.device === 'cuda') {
      throw new WorkbenchError('bad-request', `CUDA was requested but cannot be used: ${failure}.`, cudaInstallHint);
    }
    this.chosen = 'cpu';
    this.reason = failure;
    this.log(`CUDA not used, running on CPU: ${failure}.`);
    return this.createWith(modelPath, 'cpu');
  }

  private async createWith(modelPath: string, provider: Provider): Promise<CreatedSession> {
    if (provider === 'cpu' && this.beforeCpu) {
      const check = this.beforeCpu;
      await check();
      this.beforeCpu = null;
    }
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: this.optimization,
    };
    if (this.threads > 0) options.intraOpNumThreads = this.threads;
    if (!this.cpuMemArena) options.enableCpuMemArena = false;
    if (!this.memPattern) options.enableMemPattern = false;
    if (this.profilePrefix !== null) {
      options.enableProfiling = true;
      options.profileFilePrefix = `${this.profilePrefix}-${basename(modelPath, '.onnx')}`;
    }
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(modelPath, options);
    return { session, provider, createMs: performance.now() - t0 };
  }
}
