// The Runs view's e2e inputs, in the app's data folder: a finished `laser eval` run made for real
// with the tiny golden checkpoint (its records in the same data folder, so its rows open their
// analysis), a run that is still being written (a manifest and a few rows, written just now), and,
// outside the data folder, a folder of shards to open in the view.
import { Buffer } from 'node:buffer';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { rowLine, writeManifest } from '../../src/engine/eval/run-folder.ts';
import { testManifest, testRow } from '../eval/support/run-folder.ts';
import { TINY_CHECKPOINT, writeWordTokenizer } from '../laser/support/tiny-laser-bundle.ts';
import { runLaser } from './laser-cli.ts';

/** The run folders made: the finished one and the live one in the data folder, the shards' folder outside it, and the bundle they ran. */
export interface RunsFixtures {
  finished: string;
  live: string;
  cluster: string;
  bundle: string;
}

/** `bundle`: a compiled tiny bundle to reuse (the analysis fixtures'), else one is compiled here. */
export async function makeRunsFixtures(base: string, repoRoot: string, dataDir: string, compiled: string | null = null): Promise<RunsFixtures> {
  let bundle = compiled;
  if (bundle === null) {
    const checkpoint = join(base, 'tiny-checkpoint');
    await mkdir(checkpoint, { recursive: true });
    for (const f of ['config.json', 'generation_config.json', 'model.safetensors']) await copyFile(join(TINY_CHECKPOINT, f), join(checkpoint, f));
    await writeWordTokenizer(checkpoint, { vocabSize: 300, imageTokenId: 296 });
    bundle = join(base, 'tiny-bundle');
    await runLaser(['compile', checkpoint, bundle], repoRoot);
  }
  // a VQA list of two questions (words of the tiny tokenizer) on one picture
  const data = join(base, 'vqa');
  await mkdir(data, { recursive: true });
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="100%" height="100%" fill="#2b6cb0"/><rect x="60" y="80" width="90" height="90" fill="#c53030"/></svg>';
  await sharp(Buffer.from(svg)).png().toFile(join(data, 'scene.png'));
  const questions = [
    { question_id: 1, image: 'scene.png', question: 'what is the colour of the cat ?', answers: ['red', 'red', 'red'] },
    { question_id: 2, image: 'scene.png', question: 'what is the cat ?', answers: ['cat', 'cat', 'cat'] },
  ];
  await writeFile(join(data, 'questions.json'), JSON.stringify(questions));
  const finished = join(dataDir, 'runs', 'tiny-vqa');
  await runLaser(
    [
      'eval',
      '--data',
      join(data, 'questions.json'),
      '--format',
      'vqa',
      '--protocol',
      'simple',
      '--bundle',
      bundle,
      '--methods',
      'vanilla,laser',
      '--max-new-tokens',
      '2',
      '--device',
      'cpu',
      '--run',
      finished,
      '--cache',
      dataDir,
    ],
    repoRoot,
  );
  // a run still being written: 3 of 20 rows, started 30 s ago
  const live = join(dataDir, 'runs', 'pope-live');
  await mkdir(live, { recursive: true });
  await writeManifest(live, testManifest(10, { startedAt: new Date(Date.now() - 30_000).toISOString() }));
  await writeFile(
    join(live, 'results.jsonl'),
    [testRow('a', 0, 'vanilla'), testRow('a', 0, 'laser', { score: 0 }), testRow('b', 1, 'vanilla')].map(rowLine).join(''),
  );
  // a folder of shards the user opens in the view: one finished shard of two
  const cluster = join(base, 'cluster');
  const shard = join(cluster, 'pope', 'shard-0');
  await mkdir(shard, { recursive: true });
  await writeManifest(shard, testManifest(2, { shard: { index: 0, count: 2 }, endedAt: new Date().toISOString() }));
  await writeFile(
    join(shard, 'results.jsonl'),
    [testRow('c', 0, 'vanilla'), testRow('c', 0, 'laser'), testRow('d', 1, 'vanilla'), testRow('d', 1, 'laser')].map(rowLine).join(''),
  );
  return { finished, live, cluster, bundle };
}
