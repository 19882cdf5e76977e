/** Benchmark evaluation: load a dataset, run methods on it, score and report. See README.md in this folder. */
export { DATASET_FORMATS, isDatasetFormat, type DatasetFormat, type EvalDataset, type EvalSample } from './types.ts';
export { loadDataset, type DatasetOptions } from './load.ts';
export { loadPope, popeSplitOf, type LoadOptions } from './pope.ts';
export { loadVqa, DEFAULT_PROTOCOL, type VqaLayout, type VqaLoadOptions } from './vqa.ts';
export { loadRefcoco, DEFAULT_REF_PROMPT, type RefLoadOptions } from './refcoco.ts';
export { loadWorld } from './world.ts';
export { evaluate, splitKnobs, type EvaluateRequest, type EvaluateResult, type EvalProgress } from './evaluate.ts';
export { answerScore, groundingOf, scoreRun, type Aggregation, type SampleResult } from './score.ts';
export { summarize, summarizeMethod, type MethodSummary, type Mean, type PopeSummary, type LayerCounts } from './summary.ts';
export { summaryTables, renderTable, renderTables, pct, type Table, type TableStyle } from './tables.ts';
export { buildReport, writeJsonFile, REPORT_FORMAT, REPORT_VERSION, type EvalReport } from './report.ts';
export { worldReport, worldReportSchema, worldMethodSchema, worldTable, worldExtraTables, type WorldReport, type WorldMethodScores } from './world-report.ts';
