/**
 * `laser models [--json]`: the model list the app shows (the contract's `models.list` on the data
 * folder), one line a model: id, status, dtype, architecture, bundle folder, and why an unavailable one
 * cannot be used. `laser models remove <id>`: unregisters one (`models.remove`), deleting only a bundle
 * the workbench compiled into its own data folder, as the app's remove button does.
 */
import type { Command } from 'commander';
import type { ModelInfo } from '../../common/contract/methods.ts';
import { WorkbenchError } from '../../common/contract/errors.ts';
import { addDataDirOption } from '../model-options.ts';
import { withCliWorkbench } from '../workbench.ts';
import { processOutput, type CommandOutput } from '../lines.ts';

export type ModelsOutput = CommandOutput;

/** `laser-demo  ready  fp32  llava  /path/to/bundle`, with the dtype's quantisation and any problem. */
export function modelLine(m: ModelInfo): string {
  const dtype = m.quantization ? `${m.dtype}/b${m.quantization.blockSize}` : m.dtype;
  const where = m.dir ?? '(not compiled yet)';
  const problem = m.problem ? `  (${m.problem})` : '';
  return `${m.id}  ${m.status}  ${dtype}  ${m.architecture}  ${where}${problem}`;
}

interface ModelsFlags {
  json?: boolean;
  dataDir?: string;
}

export async function runModelsList(flags: ModelsFlags, out: ModelsOutput = processOutput): Promise<ModelInfo[]> {
  return withCliWorkbench({ dataDir: flags.dataDir, note: out.stderr }, async (cli) => {
    const models = await cli.call('models.list', {});
    for (const m of models) out.stdout(flags.json ? JSON.stringify(m) : modelLine(m));
    if (!flags.json) out.stderr(`${models.length} model${models.length === 1 ? '' : 's'} in ${cli.dataDir}`);
    return models;
  });
}

export async function runModelsRemove(id: string, flags: ModelsFlags, out: ModelsOutput = processOutput): Promise<void> {
  await withCliWorkbench({ dataDir: flags.dataDir, note: out.stderr }, async (cli) => {
    const known = await cli.call('models.list', {});
    if (!known.some((m) => m.id === id)) {
      throw new WorkbenchError(
        'not-found',
        `There is no model '${id}' in ${cli.dataDir}.`,
        known.length ? `The models there: ${known.map((m) => m.id).join(', ')} (see laser models).` : 'The model list is empty.',
      );
    }
    const { removed } = await cli.call('models.remove', { id });
    out.stdout(removed ? `removed ${id}` : `${id} was not registered`);
  });
}

export function registerModels(program: Command, out: ModelsOutput = processOutput): void {
  const models = addDataDirOption(
    program
      .command('models')
      .description('List the models the workbench knows (the app’s model list), or remove one')
      .option('--json', 'one JSON object per model (the contract’s ModelInfo)'),
  ).action(async (flags: ModelsFlags) => {
    await runModelsList(flags, out);
  });
  addDataDirOption(
    models
      .command('remove')
      .description('Unregister a model; a bundle the workbench compiled into its data folder is deleted, a bundle folder registered as it is stays')
      .argument('<id>', 'the model id, as laser models lists it'),
  ).action(async (id: string, flags: ModelsFlags) => {
    await runModelsRemove(id, { ...models.opts<ModelsFlags>(), ...flags }, out);
  });
}
