/**
 * A generated world's folder (`laser world generate`) as a benchmark, read with the world's own
 * loader: every question is a sample with its ten (identical) answers, existence questions also
 * carry their POPE label, and every question with a target object carries that object's box, so
 * one run scores accuracy, POPE and grounding at once. Groups: `family`, `size` (of the target;
 * absent for "no" existence questions, which have none), `familySize` ("attribute/small": size
 * within a family, since "small" alone mixes families), `kind` ("attribute/colour") and `split`
 * (POPE split, existence only).
 */
import { resolve } from 'node:path';
import { loadWorldDataset } from '../world/dataset.ts';
import type { EvalDataset, EvalSample } from './types.ts';

export async function loadWorld(path: string): Promise<EvalDataset> {
  const world = await loadWorldDataset(resolve(path));
  const samples: EvalSample[] = world.samples.map((q) => {
    const groups: Record<string, string> = { family: q.family, kind: `${q.family}/${q.kind}` };
    if (q.sizeClass !== null) {
      groups.size = q.sizeClass;
      groups.familySize = `${q.family}/${q.sizeClass}`;
    }
    if (q.popeSplit !== undefined) groups.split = q.popeSplit;
    const target = q.targets.find((t) => t.role === 'target');
    return {
      id: q.id,
      imagePath: q.imagePath,
      question: q.text,
      groups,
      // one truth, ten times: soft accuracy is 1 for a match and 0 otherwise under either protocol
      vqa: { answers: q.answers, protocol: 'simple' },
      ...(q.family === 'existence' ? { pope: q.answer === 'yes' ? ('yes' as const) : ('no' as const) } : {}),
      ...(target !== undefined ? { box: target.box } : {}),
    };
  });
  return { format: 'world', name: `world seed ${world.manifest.seed}`, sources: [world.dir], samples };
}
