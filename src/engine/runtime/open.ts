/**
 * Opens a bundle folder as a ModelRuntime: validates the manifest (openBundle), creates the three
 * sessions, and checks that the graphs agree with the manifest, so a stale or hand-edited bundle
 * fails here with a clear message instead of producing wrong numbers later.
 */
import { WorkbenchError } from '../../common/contract/errors.ts';
import { fixedImageGrid, nativeResolutionVision } from '../bundle/manifest.ts';
import { openBundle, type OpenedBundle } from '../bundle/open-bundle.ts';
import { ModelRuntime, type BundleModelInfo, type RuntimeOptions } from './model-runtime.ts';

export interface OpenedRuntime {
  runtime: ModelRuntime;
  bundle: OpenedBundle;
}

function checkAgainstManifest(runtime: ModelRuntime, bundle: OpenedBundle): void {
  const m = bundle.manifest;
  const pairs: [string, number, number][] = [
    ['text.layers', m.text.layers, runtime.dims.layers],
    ['text.heads', m.text.heads, runtime.dims.heads],
    ['text.kvHeads', m.text.kvHeads, runtime.dims.kvHeads],
    ['text.headDim', m.text.headDim, runtime.dims.headDim],
    ['text.hidden', m.text.hidden, runtime.dims.hidden],
    ['text.vocab', m.text.vocab, runtime.dims.vocab],
  ];
  const fixed = fixedImageGrid(m);
  if (fixed) pairs.push(['vision.imageSize', fixed.imageSize, runtime.imageSize], ['vision.tokensPerImage', fixed.tokensPerImage, runtime.imageTokens]);
  const wrong = pairs.filter(([, a, b]) => a !== b);
  if (wrong.length > 0) {
    throw new WorkbenchError(
      'invalid-bundle',
      `${bundle.dir}: manifest.json and the graphs disagree (${wrong.map(([k, a, b]) => `${k} ${a} vs ${b}`).join(', ')}).`,
      'Recompile the bundle with `laser compile`.',
    );
  }
}

/** How the bundle's images and positions work (ModelRuntime's `vision`). */
function visionOf(bundle: OpenedBundle): BundleModelInfo['vision'] {
  const v = nativeResolutionVision(bundle.manifest);
  if (v === null) return { kind: 'fixed-grid' };
  return { kind: 'native-resolution', mergeSize: v.mergeSize, patchRow: v.patchRow, window: v.window ? { size: v.window.size, patchSize: v.patchSize } : null };
}

/** Opens `dir` and returns the runtime together with the bundle's manifest. */
export async function openRuntimeBundle(dir: string, options: RuntimeOptions = {}): Promise<OpenedRuntime> {
  const bundle = await openBundle(dir);
  const runtime = await ModelRuntime.load(
    {
      dir: bundle.dir,
      graphs: bundle.graphs,
      imageTokenId: bundle.manifest.imageTokenId,
      eosTokenIds: bundle.manifest.eosTokenIds,
      vision: visionOf(bundle),
      dtype: bundle.manifest.dtype,
    },
    options,
  );
  try {
    checkAgainstManifest(runtime, bundle);
  } catch (e) {
    await runtime.dispose();
    throw e;
  }
  return { runtime, bundle };
}

/** Opens `dir` as a runtime (see openRuntimeBundle for the manifest too). */
export async function openModelRuntime(dir: string, options: RuntimeOptions = {}): Promise<ModelRuntime> {
  return (await openRuntimeBundle(dir, options)).runtime;
}
