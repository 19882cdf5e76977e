/**
 * A record as the `laser.*` methods answer it: the record in its JSON form, the views laid out for
 * drawing (engine/laser/record-views.ts), and every image the model got with its own attention.
 */
import type { LaserResult } from '../../common/contract/methods.ts';
import { recordToJsonValue, type AnalysisRecord, type RecordTensors } from '../../common/laser/record.ts';
import { recordInputImages, recordViews } from '../laser/record-views.ts';

export { meanOverHeads, recordViews as laserViews } from '../laser/record-views.ts';

export function laserResult(record: AnalysisRecord, tensors: RecordTensors, cached: boolean): LaserResult {
  return {
    id: record.cacheKey,
    cached,
    record: recordToJsonValue(record),
    views: recordViews(record, tensors),
    inputImages: recordInputImages(record, tensors),
  };
}
