/** The LASER engine's public face: run a method, read its record. See README.md in this folder. */
export { runMethod, DEFAULT_RUN_OPTIONS, type RunMethodRequest, type RunMethodResult } from './run-method.ts';
export type { RunOptions } from './methods/context.ts';
export { LaserModel, type ModelFacts } from './model.ts';
export { resolveKnobs, type ResolvedKnobs } from './knobs.ts';
export { STAGES, type LaserProgress, type ProgressSink, type Stage } from './stages.ts';
export {
  RECORD_FORMAT,
  RECORD_JSON,
  RECORD_TENSOR_FILE,
  RECORD_TENSORS,
  RECORD_VERSION,
  recordSchema,
  recordToJson,
  type AnalysisRecord,
  type RecordStep,
  type RecordTensor,
  type RecordTensorName,
  type RecordTensors,
} from './record.ts';
export { loadRecord, loadRecordJson, writeRecordFolder, type LoadedRecord } from './record-io.ts';
export { cacheKey, defaultCacheRoot, RecordCache, type CacheKeyParts } from './cache.ts';
export { cellMapping } from './views.ts';
export { localise, type Localisation, type LocaliseInput, type LocaliseKnobs } from './localise.ts';
export { checkQuestion, DEFAULT_INSTRUCTION, type PromptOptions } from './prompts.ts';
export { demoBundle, DEMO_MODEL_DIR, type DemoBundleOptions } from './demo-bundle.ts';
