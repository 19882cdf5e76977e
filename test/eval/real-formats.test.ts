/**
 * One excerpt of each real benchmark format (test/eval/fixtures, provenance in its README) loads
 * through `loadDataset` as `laser eval` reads it, with the row count the excerpt holds, every
 * image found.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset, type DatasetOptions } from '../../src/engine/eval/load.ts';
import type { DatasetFormat } from '../../src/engine/eval/types.ts';
import { fixture, FIXTURE_IMAGES } from './support/fixtures.ts';

const CASES: { name: string; path: string[]; format: DatasetFormat; options?: DatasetOptions; samples: number }[] = [
  { name: "POPE's question files (AoiDragon/POPE, two splits)", path: ['pope'], format: 'pope', samples: 5 },
  { name: "LLaVA's POPE layout (llava_pope_test.jsonl + coco/ labels)", path: ['pope-llava'], format: 'pope', samples: 3 },
  { name: "lmms-eval's POPE rows (JSON lines)", path: ['pope-lmms'], format: 'pope', samples: 4 },
  { name: 'lmms-lab/POPE parquet (two shards)', path: ['parquet', 'pope'], format: 'pope', samples: 4 },
  { name: "ViCrop's data.json", path: ['vicrop', 'data.json'], format: 'vqa', samples: 2 },
  {
    name: "ViCrop's run.py results (mllms_know: label, its own image paths)",
    path: ['vicrop-results', 'llava-textvqa-rel_att.json'],
    format: 'vqa',
    samples: 2,
  },
  { name: 'TextVQA_0.5.1_val.json', path: ['textvqa', 'TextVQA_0.5.1_val.json'], format: 'vqa', samples: 3 },
  { name: 'lmms-lab/textvqa parquet (validation)', path: ['parquet', 'textvqa'], format: 'vqa', options: { split: 'validation' }, samples: 2 },
  { name: 'VQA v2 questions + annotations', path: ['vqav2'], format: 'vqa', samples: 3 },
  { name: 'lmms-lab/VQAv2 parquet (two shards)', path: ['parquet', 'vqav2'], format: 'vqa', samples: 3 },
  { name: 'A-OKVQA aokvqa_v1p0_val.json (direct answer)', path: ['aokvqa', 'aokvqa_v1p0_val.json'], format: 'vqa', samples: 3 },
  { name: 'HuggingFaceM4/A-OKVQA parquet (validation)', path: ['parquet', 'aokvqa'], format: 'vqa', samples: 2 },
  {
    name: 'A-OKVQA aokvqa_v1p0_val.json (multiple choice)',
    path: ['aokvqa', 'aokvqa_v1p0_val.json'],
    format: 'vqa',
    options: { multipleChoice: true },
    samples: 3,
  },
  { name: "RefCOCO: the refer API's refs(unc).p + instances.json", path: ['refer', 'refcoco'], format: 'refcoco', samples: 6 },
  { name: 'RefCOCO+ refs(unc).p, testB', path: ['refer', 'refcoco+'], format: 'refcoco', options: { split: 'testB' }, samples: 1 },
  { name: 'RefCOCOg refs(umd).p', path: ['refer', 'refcocog'], format: 'refcoco', samples: 3 },
  { name: "lmms-eval's RefCOCO rows (JSON lines)", path: ['refcoco-lmms'], format: 'refcoco', samples: 3 },
  { name: 'lmms-lab/RefCOCO parquet (testA)', path: ['parquet', 'refcoco'], format: 'refcoco', options: { split: 'testA' }, samples: 3 },
];

describe('real-format excerpts', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.samples} samples, every image found`, async () => {
      const ds = await loadDataset(fixture(...c.path), c.format, { images: FIXTURE_IMAGES, ...c.options });
      expect(ds.samples).toHaveLength(c.samples);
      expect(ds.samples.filter((s) => s.missing !== undefined)).toEqual([]);
      expect(new Set(ds.samples.map((s) => s.id)).size).toBe(c.samples);
    });
  }
});
