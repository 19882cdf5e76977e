/** The runtime's public face: open a bundle, run it, decode. See README.md in this folder. */
export { openModelRuntime, openRuntimeBundle, type OpenedRuntime } from './open.ts';
export { ModelRuntime, type BundleModelInfo, type PrefillOptions, type RuntimeOptions, type SessionTimes, type Stream } from './model-runtime.ts';
export type { DecoderDims, DecoderOutput, Embeds } from './decoder.ts';
export { KvCache, KvWorkspace, type KvShape } from './kv-cache.ts';
export { scatterImageFeatures, tokenRuns, type ImageFeatures, type TokenRun } from './image-tokens.ts';
export {
  argmax,
  generateGreedy,
  generateLockstep,
  workspaceFor,
  type ChooseToken,
  type GenerateOptions,
  type GenerateProgress,
  type GenerateResult,
  type RuntimeProgress,
  type StepModel,
  type StopReason,
} from './generate.ts';
export {
  SessionFactory,
  cudaInstallHint,
  deviceRequests,
  type CreatedSession,
  type DeviceRequest,
  type Provider,
  type SessionFactoryOptions,
} from './providers.ts';
export { forwardFiles, readForwardInputs, runForward, forwardTensors, type ForwardInputs, type ForwardOutputs, type ForwardRunOptions } from './forward.ts';
