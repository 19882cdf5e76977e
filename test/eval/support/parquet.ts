/**
 * Test support: parquet files in the schemas of the HF datasets lmms-eval reads, written with
 * hyparquet-writer (a devDependency). Columns as HF's `datasets` writes them: Image features as a
 * struct `{bytes, path}`, lists as 3-level LISTs, INT64 ids. For the parquet fixtures
 * (fixtures/parquet/make-parquet-fixtures.ts) and the demo world's parquet export
 * (test/eval/world-formats.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

export type El = Record<string, unknown>;
export const str = (name: string): El => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
export const i64 = (name: string): El => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' });
export const f32 = (name: string): El => ({ name, type: 'FLOAT', repetition_type: 'OPTIONAL' });
/** A LIST of one element type, or (more than one element) of a struct `[{}, ...fields]`. */
export const list = (name: string, element: El[]): El[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  ...(element.length === 1
    ? [{ ...element[0], name: 'element' }]
    : [{ name: 'element', repetition_type: 'OPTIONAL', num_children: element.length - 1 }, ...element.slice(1)]),
];
/** HF's Image feature. */
export const image: El[] = [
  { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  str('path'),
];

export interface Column {
  name: string;
  schema: El[];
  data: unknown[];
}

export function writeParquet(path: string, columns: Column[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const buf = parquetWriteBuffer({
    columnData: columns.map((c) => ({ name: c.name, data: c.data as never })),
    schema: [{ name: 'root', num_children: columns.length }, ...columns.flatMap((c) => c.schema)] as never,
  });
  writeFileSync(path, new Uint8Array(buf));
}

// lmms-lab's column sets

export interface PopeRow {
  id: string;
  qid: string;
  question: string;
  answer: string;
  source: string;
  category: string;
  bytes: Uint8Array;
}
export const popeColumns = (rows: PopeRow[]): Column[] => [
  { name: 'id', schema: [str('id')], data: rows.map((r) => r.id) },
  { name: 'question_id', schema: [str('question_id')], data: rows.map((r) => r.qid) },
  { name: 'question', schema: [str('question')], data: rows.map((r) => r.question) },
  { name: 'answer', schema: [str('answer')], data: rows.map((r) => r.answer) },
  { name: 'image_source', schema: [str('image_source')], data: rows.map((r) => r.source) },
  { name: 'image', schema: image, data: rows.map((r) => ({ bytes: r.bytes, path: null })) },
  { name: 'category', schema: [str('category')], data: rows.map((r) => r.category) },
];

export interface TextvqaRow {
  image_id: string;
  question_id: number;
  question: string;
  answers: string[];
  bytes: Uint8Array;
  ocr: string[];
  width?: number;
  height?: number;
}
export const textvqaColumns = (rows: TextvqaRow[]): Column[] => [
  { name: 'image_id', schema: [str('image_id')], data: rows.map((r) => r.image_id) },
  { name: 'question_id', schema: [i64('question_id')], data: rows.map((r) => BigInt(r.question_id)) },
  { name: 'question', schema: [str('question')], data: rows.map((r) => r.question) },
  { name: 'question_tokens', schema: list('question_tokens', [str('element')]), data: rows.map((r) => r.question.replace('?', '').split(' ')) },
  { name: 'image', schema: image, data: rows.map((r) => ({ bytes: r.bytes, path: null })) },
  { name: 'image_width', schema: [i64('image_width')], data: rows.map((r) => BigInt(r.width ?? 80)) },
  { name: 'image_height', schema: [i64('image_height')], data: rows.map((r) => BigInt(r.height ?? 60)) },
  { name: 'flickr_original_url', schema: [str('flickr_original_url')], data: rows.map(() => 'https://farm1.staticflickr.com/0/0_o.jpg') },
  { name: 'flickr_300k_url', schema: [str('flickr_300k_url')], data: rows.map(() => 'https://farm1.staticflickr.com/0/0_z.jpg') },
  { name: 'answers', schema: list('answers', [str('element')]), data: rows.map((r) => r.answers) },
  { name: 'image_classes', schema: list('image_classes', [str('element')]), data: rows.map(() => ['Cat']) },
  { name: 'set_name', schema: [str('set_name')], data: rows.map(() => 'val') },
  { name: 'ocr_tokens', schema: list('ocr_tokens', [str('element')]), data: rows.map((r) => r.ocr) },
];

export interface Vqav2Row {
  qid: number;
  image_id: number;
  question: string;
  answers: string[];
  type: string;
  qtype: string;
  bytes: Uint8Array;
}
export const vqav2Columns = (rows: Vqav2Row[]): Column[] => [
  { name: 'question_type', schema: [str('question_type')], data: rows.map((r) => r.qtype) },
  { name: 'multiple_choice_answer', schema: [str('multiple_choice_answer')], data: rows.map((r) => r.answers[0]) },
  {
    name: 'answers',
    schema: list('answers', [{}, str('answer'), str('answer_confidence'), i64('answer_id')]),
    data: rows.map((r) => r.answers.map((answer, k) => ({ answer, answer_confidence: 'yes', answer_id: BigInt(k + 1) }))),
  },
  { name: 'image_id', schema: [i64('image_id')], data: rows.map((r) => BigInt(r.image_id)) },
  { name: 'answer_type', schema: [str('answer_type')], data: rows.map((r) => r.type) },
  { name: 'question_id', schema: [i64('question_id')], data: rows.map((r) => BigInt(r.qid)) },
  { name: 'question', schema: [str('question')], data: rows.map((r) => r.question) },
  { name: 'image', schema: image, data: rows.map((r) => ({ bytes: r.bytes, path: `COCO_val2014_${String(r.image_id).padStart(12, '0')}.jpg` })) },
];

export interface RefcocoRow {
  qid: string;
  file: string;
  answers: string[];
  bbox: number[];
  bytes: Uint8Array;
}
export const refcocoColumns = (rows: RefcocoRow[]): Column[] => [
  { name: 'question_id', schema: [str('question_id')], data: rows.map((r) => r.qid) },
  { name: 'image', schema: image, data: rows.map((r) => ({ bytes: r.bytes, path: null })) },
  {
    name: 'question',
    schema: [str('question')],
    data: rows.map(() => 'Please carefully observe the area circled in the image and come up with a caption for the area.'),
  },
  { name: 'answer', schema: list('answer', [str('element')]), data: rows.map((r) => r.answers) },
  {
    name: 'segmentation',
    schema: list('segmentation', [f32('element')]),
    data: rows.map((r) => [r.bbox[0], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3]]),
  },
  { name: 'bbox', schema: list('bbox', [f32('element')]), data: rows.map((r) => r.bbox) },
  { name: 'iscrowd', schema: [i64('iscrowd')], data: rows.map(() => 0n) },
  { name: 'file_name', schema: [str('file_name')], data: rows.map((r) => r.file) },
];

/** HuggingFaceM4/A-OKVQA's columns (lmms-eval's aokvqa tasks read them). */
export interface AokvqaRow {
  qid: string;
  question: string;
  choices: string[];
  correct: number;
  direct: string[];
  bytes: Uint8Array;
}
export const aokvqaColumns = (rows: AokvqaRow[]): Column[] => [
  { name: 'image', schema: image, data: rows.map((r) => ({ bytes: r.bytes, path: null })) },
  { name: 'question_id', schema: [str('question_id')], data: rows.map((r) => r.qid) },
  { name: 'question', schema: [str('question')], data: rows.map((r) => r.question) },
  { name: 'choices', schema: list('choices', [str('element')]), data: rows.map((r) => r.choices) },
  { name: 'correct_choice_idx', schema: [i64('correct_choice_idx')], data: rows.map((r) => BigInt(r.correct)) },
  { name: 'direct_answers', schema: list('direct_answers', [str('element')]), data: rows.map((r) => r.direct) },
  { name: 'difficult_direct_answer', schema: [{ name: 'difficult_direct_answer', type: 'BOOLEAN', repetition_type: 'OPTIONAL' }], data: rows.map(() => false) },
  { name: 'rationales', schema: list('rationales', [str('element')]), data: rows.map(() => ['It is so.']) },
];
