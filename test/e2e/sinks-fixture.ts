// The attention sinks e2e's input: a LASER record in the app's data folder whose query-pass attention
// on the image has a sink (one cell holding a third of the attention at every layer, as register-like
// background tokens do in real VLMs; the tiny test models have none). It is the record fixture of
// src/engine/figures/testing/record-fixture.ts (a drawn scene, its maps computed by common/laser) with
// that attention added, stored as a run is (<dataDir>/records/<key[0:2]>/<key>/), for the image in a
// folder of its own. The sink sits on the map's brightest cell, so it sets the colour scale.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordSchema, recordToJson, RECORD_JSON, RECORD_TENSOR_FILE, inputFileName, RECORD_INPUTS_DIR } from '../../src/common/laser/record.ts';
import { writeSafetensors, type TensorToWrite } from '../../src/engine/checkpoint/safetensors-writer.ts';
import { writeFixtureRecord } from '../../src/engine/figures/testing/record-fixture.ts';
import { loadRecord } from '../../src/engine/laser/record-io.ts';
import { present } from './page-helpers.ts';

export interface SinkRecordFixture {
  /** The folder to open, holding the record's image. */
  images: string;
  image: string;
  /** The sink's cell index in the grid. */
  sink: number;
}

export async function makeSinkRecord(base: string, dataDir: string): Promise<SinkRecordFixture> {
  const made = await writeFixtureRecord(join(base, 'made'), 'laser', 'laser');
  const { record, tensors } = await loadRecord(made.dir);
  const images = join(base, 'images');
  await mkdir(images, { recursive: true });
  const image = join(images, 'sink-scene.png');
  await copyFile(made.imagePath, image);

  const M = tensors.M;
  if (!M) throw new Error('the record fixture has no map M');
  const sink = Array.from(M.data).reduce((best, v, j, all) => (v > (all[best] ?? -Infinity) ? j : best), 0);
  const { layers, heads } = record.bundle;
  const cells = M.data.length;
  // a_q [T=1, L, H, Nv]: a gently varying spread over the grid, and the sink's third of it at every layer and head
  const aq = new Float32Array(layers * heads * cells);
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      for (let j = 0; j < cells; j++) aq[(l * heads + h) * cells + j] = j === sink ? 0.33 : (0.67 / (cells - 1)) * (0.8 + 0.4 * (((j * 7 + l + h) % 5) / 4));
  const key = createHash('sha256').update('laser-e2e attention sink record').digest('hex');
  const names = [...new Set([...record.tensors.names, 'a_q' as const])].sort();
  const withSink = recordSchema.parse(
    JSON.parse(
      recordToJson({
        ...record,
        cacheKey: key,
        image: { ...record.image, path: image },
        inputs: record.inputs.map((i) => (i.role === 'image' ? { ...i, attention: 'a_q' } : i)),
        tensors: {
          ...record.tensors,
          names,
          maps: { ...record.tensors.maps, a_q: { input: 'image', grid: present(record.inputs[0], 'the image input').grid } },
        },
      }),
    ),
  );
  const dir = join(dataDir, 'records', key.slice(0, 2), key);
  await mkdir(join(dir, RECORD_INPUTS_DIR), { recursive: true });
  const toWrite: Record<string, TensorToWrite> = {};
  for (const [name, t] of Object.entries(tensors)) toWrite[name] = { dtype: t.dtype, shape: t.shape, data: t.data };
  // the sink's a_q replaces the fixture's own (which is flat), so it must be written after the others
  toWrite.a_q = { dtype: 'F32', shape: [1, layers, heads, cells], data: aq };
  await writeSafetensors(join(dir, RECORD_TENSOR_FILE), toWrite);
  await writeFile(join(dir, RECORD_JSON), recordToJson(withSink));
  for (const i of record.inputs) await copyFile(join(made.dir, i.file), join(dir, inputFileName(i.role)));
  return { images, image, sink };
}
