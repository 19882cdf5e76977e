import type { Command } from 'commander';
import { registerAsk } from './ask.ts';
import { registerCompile } from './compile.ts';
import { registerEval } from './eval.ts';
import { registerFigure } from './figure.ts';
import { registerForward } from './forward.ts';
import { registerModels } from './models.ts';
import { registerReport } from './report.ts';
import { registerRun } from './run.ts';
import { registerScan } from './scan.ts';
import { registerServe } from './serve.ts';
import { registerWorld } from './world.ts';
import { registerWorldEvaluate } from './world-evaluate.ts';

/** One line per command module; each module adds its own subcommand. */
export function registerCommands(program: Command): void {
  registerServe(program);
  registerCompile(program);
  registerModels(program);
  registerForward(program);
  registerScan(program);
  registerRun(program);
  registerAsk(program);
  registerWorldEvaluate(registerWorld(program));
  registerEval(program);
  registerReport(program);
  registerFigure(program);
}
