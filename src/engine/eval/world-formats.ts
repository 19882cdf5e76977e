/**
 * A generated world (the demo samples, `laser world generate`) written out in each real
 * benchmark's published layout, so every loader of this folder can be tried end to end on data
 * with a known truth (`laser world export`):
 *
 * | folder | layout | `--format` |
 * |---|---|---|
 * | `pope/` | POPE's `coco_pope_<split>.json` (AoiDragon/POPE) | pope |
 * | `pope-llava/` | LLaVA's `llava_pope_test.jsonl` + `coco/coco_pope_<split>.json` | pope |
 * | `pope-lmms/` | lmms-eval's POPE rows (`question_id, question, answer, image_source, category`) | pope |
 * | `textvqa/` | `TextVQA_0.5.1_val.json` | vqa |
 * | `aokvqa/` | `aokvqa_v1p0_val.json` (direct answers and multiple choice) | vqa |
 * | `vqav2/` | `v2_OpenEnded_mscoco_val2014_questions.json` + `v2_mscoco_val2014_annotations.json` | vqa |
 * | `vicrop/` | ViCrop's `data.json` | vqa |
 * | `refer/refcoco/` | the refer API's `refs(unc).p` (a protocol-2 pickle) + `instances.json` | refcoco |
 * | `refcoco-lmms/` | lmms-eval's RefCOCO rows | refcoco |
 *
 * The images are copied once, COCO-named (`coco/val2014/COCO_val2014_<12-digit id>.png`, the id
 * the scene's index + 1), and every format names them as its benchmark does (a file name, an
 * integer `image_id`, a file stem), so `--images <out>/coco` serves them all. Every question has
 * ten identical answers (the world has one truth); A-OKVQA's choices are the answer and the three
 * nearest other answers of its family; RefCOCO refs take the splits val, testA, testB in turn.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadWorldDataset, type WorldSample } from '../world/dataset.ts';
import { cocoBox } from '../world/export.ts';
import type { Scene } from '../world/types.ts';
import { POPE_SPLITS } from '../world/vocabulary.ts';
import { writePickle, type PickleValue } from './pickle.ts';
import type { DatasetFormat } from './types.ts';

export const WORLD_IMAGE_DIR = 'coco/val2014';

export const cocoId = (scene: Pick<Scene, 'index'>) => scene.index + 1;
export const cocoStem = (scene: Pick<Scene, 'index'>) => `COCO_val2014_${String(cocoId(scene)).padStart(12, '0')}`;
export const cocoName = (scene: Pick<Scene, 'index'>) => `${cocoStem(scene)}.png`;

export interface ExportedFormat {
  /** The folder under the export ("pope-llava"). */
  name: string;
  format: DatasetFormat;
  /** `--data`: the folder or file to pass. */
  data: string;
  /** What else `laser eval` needs for it (multiple choice). */
  multipleChoice?: boolean;
  /** How many samples the loader makes of it. */
  samples: number;
}

interface Ctx {
  scenes: Map<string, Scene>;
  samples: WorldSample[];
}

const sceneOf = (c: Ctx, q: WorldSample) => c.scenes.get(q.sceneId)!;
const json = (v: unknown) => `${JSON.stringify(v, null, 1)}\n`;
const lines = (vs: unknown[]) => vs.map((v) => `${JSON.stringify(v)}\n`).join('');
const existence = (c: Ctx) => c.samples.filter((q) => q.family === 'existence' && q.popeSplit !== undefined && q.popeSplit !== null);
const targeted = (c: Ctx) =>
  c.samples.flatMap((q) => {
    const t = q.targets.find((x) => x.role === 'target');
    return t === undefined ? [] : [{ q, t }];
  });

/** POPE's official lines of one split. */
function popeLines(c: Ctx, split: string) {
  return existence(c)
    .filter((q) => q.popeSplit === split)
    .map((q) => ({ question_id: q.number, image: cocoName(sceneOf(c, q)), text: q.text, label: q.answer }));
}

/** The three answers of the same family nearest in the answer list (then any others), with the answer, in a fixed shuffled order. */
export function choicesFor(answer: string, pool: readonly string[], salt: number): { choices: string[]; correct: number } {
  const others = [...new Set(pool)].filter((a) => a !== answer).sort();
  while (others.length < 3) others.push(`none${others.length}`);
  const choices = others.slice(0, 3);
  const correct = salt % 4;
  choices.splice(correct, 0, answer);
  return { choices, correct };
}

/** Every file of the export, by its path under the folder (pure: nothing is written). */
export function worldFormatFiles(scenes: readonly Scene[], samples: readonly WorldSample[]): Map<string, string | Uint8Array> {
  const c: Ctx = { scenes: new Map(scenes.map((s) => [s.id, s])), samples: [...samples] };
  const files = new Map<string, string | Uint8Array>();
  // POPE, as its authors publish it, and as LLaVA and lmms-eval ship it
  for (const split of POPE_SPLITS) {
    const l = popeLines(c, split);
    if (l.length === 0) continue;
    files.set(`pope/coco_pope_${split}.json`, lines(l));
    files.set(`pope-llava/coco/coco_pope_${split}.json`, lines(l));
  }
  files.set(
    'pope-llava/llava_pope_test.jsonl',
    lines(POPE_SPLITS.flatMap((split) => popeLines(c, split).map((l) => ({ question_id: l.question_id, image: l.image, text: l.text, category: split })))),
  );
  files.set(
    'pope-lmms/pope_test.jsonl',
    lines(
      existence(c).map((q, k) => ({
        id: String(k),
        question_id: String(q.number),
        question: q.text,
        answer: q.answer,
        image_source: cocoStem(sceneOf(c, q)),
        category: q.popeSplit,
      })),
    ),
  );
  const tokens = (text: string) => text.toLowerCase().replace(/[?.,]/g, '').split(/\s+/).filter(Boolean);
  files.set(
    'textvqa/TextVQA_0.5.1_val.json',
    json({
      dataset_type: 'val',
      dataset_name: 'textvqa',
      dataset_version: '0.5.1',
      data: c.samples.map((q) => {
        const s = sceneOf(c, q);
        return {
          question: q.text,
          image_id: cocoStem(s),
          image_classes: [q.family],
          flickr_original_url: '',
          flickr_300k_url: '',
          image_width: s.width,
          image_height: s.height,
          answers: q.answers,
          question_tokens: tokens(q.text),
          question_id: q.number,
          set_name: 'val',
        };
      }),
    }),
  );
  const byFamily = new Map<string, string[]>();
  for (const q of c.samples) byFamily.set(q.family, [...(byFamily.get(q.family) ?? []), q.answer]);
  files.set(
    'aokvqa/aokvqa_v1p0_val.json',
    json(
      c.samples.map((q) => {
        const { choices, correct } = choicesFor(q.answer, byFamily.get(q.family) ?? [], q.number);
        return {
          split: 'val',
          image_id: cocoId(sceneOf(c, q)),
          question_id: `w${q.number}`,
          question: q.text,
          choices,
          correct_choice_idx: correct,
          direct_answers: q.answers,
          difficult_direct_answer: false,
          rationales: [`The world's truth is ${q.answer}.`],
        };
      }),
    ),
  );
  const info = { description: 'LASER synthetic world exported as VQA v2', version: '2.0' };
  files.set(
    'vqav2/v2_OpenEnded_mscoco_val2014_questions.json',
    json({
      info,
      task_type: 'Open-Ended',
      data_type: 'mscoco',
      license: { url: '', name: '' },
      data_subtype: 'val2014',
      questions: c.samples.map((q) => ({ image_id: cocoId(sceneOf(c, q)), question: q.text, question_id: q.number })),
    }),
  );
  files.set(
    'vqav2/v2_mscoco_val2014_annotations.json',
    json({
      info,
      license: { url: '', name: '' },
      data_subtype: 'val2014',
      annotations: c.samples.map((q) => ({
        question_type: `${q.family}/${q.kind}`,
        multiple_choice_answer: q.answer,
        answers: q.answers.map((answer, k) => ({ answer, answer_confidence: 'yes', answer_id: k + 1 })),
        image_id: cocoId(sceneOf(c, q)),
        answer_type: q.family === 'existence' ? 'yes/no' : q.family === 'glyph' && q.kind === 'digit' ? 'number' : 'other',
        question_id: q.number,
      })),
      data_type: 'mscoco',
    }),
  );
  files.set('vicrop/data.json', json(c.samples.map((q) => ({ id: q.number, question: q.text, labels: q.answers, image_path: cocoName(sceneOf(c, q)) }))));
  // RefCOCO: the refer API's pickle joined with COCO instances by ann_id, and lmms-eval's rows
  const refs = targeted(c);
  const splitOf = (k: number) => (k % 3 === 0 ? 'val' : k % 3 === 1 ? 'testA' : 'testB');
  const annId = (k: number) => 1_000_000 + k;
  files.set(
    'refer/refcoco/refs(unc).p',
    writePickle(
      refs.map(({ q, t }, k): PickleValue => {
        const sent = `the ${t.phrase}`;
        return {
          sent_ids: [k],
          file_name: `COCO_train2014_${String(cocoId(sceneOf(c, q))).padStart(12, '0')}_${k}.jpg`,
          ann_id: annId(k),
          ref_id: k,
          image_id: cocoId(sceneOf(c, q)),
          split: splitOf(k),
          sentences: [{ tokens: sent.split(' '), raw: sent, sent_id: k, sent }],
          category_id: 1,
        };
      }),
    ),
  );
  files.set(
    'refer/refcoco/instances.json',
    json({
      info: { description: 'LASER synthetic world exported as COCO instances' },
      images: scenes.map((s) => ({
        license: 1,
        file_name: cocoName(s),
        coco_url: '',
        height: s.height,
        width: s.width,
        date_captured: '',
        flickr_url: '',
        id: cocoId(s),
      })),
      licenses: [{ url: '', id: 1, name: '' }],
      annotations: refs.map(({ q, t }, k) => {
        const [x, y, w, h] = cocoBox(t.box);
        return {
          segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]],
          area: w * h,
          iscrowd: 0,
          image_id: cocoId(sceneOf(c, q)),
          bbox: [x, y, w, h],
          category_id: 1,
          id: annId(k),
        };
      }),
      categories: [{ supercategory: 'shape', id: 1, name: 'shape' }],
    }),
  );
  files.set(
    'refcoco-lmms/refcoco_val.jsonl',
    lines(
      refs.map(({ q, t }, k) => {
        const bbox = cocoBox(t.box);
        return {
          question_id: String(k),
          file_name: cocoName(sceneOf(c, q)),
          question: 'Please carefully observe the area circled in the image and come up with a caption for the area.',
          answer: [`the ${t.phrase}`],
          segmentation: [],
          bbox,
          iscrowd: 0,
        };
      }),
    ),
  );
  return files;
}

/** Writes the export of the world at `worldDir` into `outDir` (images copied once); returns what to evaluate. */
export async function exportWorldFormats(worldDir: string, outDir: string): Promise<ExportedFormat[]> {
  const world = await loadWorldDataset(worldDir);
  const out = resolve(outDir);
  const images = join(out, WORLD_IMAGE_DIR);
  await mkdir(images, { recursive: true });
  for (const s of world.scenes) {
    const sample = world.samples.find((q) => q.sceneId === s.id);
    if (sample) await copyFile(sample.imagePath, join(images, cocoName(s)));
  }
  for (const [path, content] of worldFormatFiles(world.scenes, world.samples)) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), content);
  }
  const n = world.samples.length;
  const pope = world.samples.filter((q) => q.family === 'existence' && q.popeSplit != null).length;
  const refs = world.samples.filter((q) => q.targets.some((t) => t.role === 'target')).length;
  return [
    { name: 'pope', format: 'pope', data: join(out, 'pope'), samples: pope },
    { name: 'pope-llava', format: 'pope', data: join(out, 'pope-llava', 'llava_pope_test.jsonl'), samples: pope },
    { name: 'pope-lmms', format: 'pope', data: join(out, 'pope-lmms'), samples: pope },
    { name: 'textvqa', format: 'vqa', data: join(out, 'textvqa', 'TextVQA_0.5.1_val.json'), samples: n },
    { name: 'aokvqa', format: 'vqa', data: join(out, 'aokvqa', 'aokvqa_v1p0_val.json'), samples: n },
    { name: 'aokvqa-mc', format: 'vqa', data: join(out, 'aokvqa', 'aokvqa_v1p0_val.json'), multipleChoice: true, samples: n },
    { name: 'vqav2', format: 'vqa', data: join(out, 'vqav2'), samples: n },
    { name: 'vicrop', format: 'vqa', data: join(out, 'vicrop', 'data.json'), samples: n },
    { name: 'refcoco', format: 'refcoco', data: join(out, 'refer', 'refcoco'), samples: refs },
    { name: 'refcoco-lmms', format: 'refcoco', data: join(out, 'refcoco-lmms'), samples: refs },
  ];
}
