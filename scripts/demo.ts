/**
 * `npm run demo [-- --out <dir>] [--samples <world dir>] [--bundle <dir>] [--limit N] [--no-figures]`:
 * LASER and vanilla on every question of the bundled samples with the bundled demo model, headless;
 * figures and a summary (markdown + JSON) into out/demo/. The work is src/engine/eval/demo.ts; this
 * file only reads the arguments and reports. Ctrl-C stops; the finished runs stay cached.
 */
import { parseArgs } from 'node:util';
import { isWorkbenchError } from '../src/common/contract/errors.ts';
import { evalProgressPrinter } from '../src/cli/commands/eval.ts';
import { compileProgressDisplay } from '../src/cli/progress.ts';
import { runDemo } from '../src/engine/eval/demo.ts';

const USAGE = 'usage: npm run demo [-- --out <dir>] [--samples <world dir>] [--bundle <dir>] [--limit N] [--no-figures]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'out/demo' },
      samples: { type: 'string' },
      bundle: { type: 'string' },
      limit: { type: 'string' },
      'no-figures': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    process.stderr.write(`error: --limit must be a positive integer\n${USAGE}\n`);
    return 2;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const tty = process.stderr.isTTY;
  const started = Date.now();
  const compile = compileProgressDisplay(process.stderr);
  const result = await runDemo({
    out: values.out,
    samples: values.samples,
    bundle: values.bundle,
    limit,
    figures: values['no-figures'] ? [] : undefined,
    signal: controller.signal,
    onProgress: evalProgressPrinter(process.stderr),
    onCompileStart: () => process.stderr.write('compiling the demo model (first use only)...\n'),
    onCompileProgress: (p) => compile.update(p),
    onFigures: (done, total) => (tty ? process.stderr.write(`\rfigures ${done}/${total}\x1b[K`) : undefined),
  });
  compile.end();
  if (tty) process.stderr.write('\r\x1b[K');
  const runs = result.evaluation.results;
  const fresh = runs.filter((r) => !r.cached).length;
  const out = process.stdout;
  out.write(
    `${result.report.dataset.name}: ${result.rows.length} questions, ${runs.length} runs (${fresh} run now, ${runs.length - fresh} from the cache) in ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`,
  );
  for (const [m, s] of Object.entries(result.report.methods)) {
    const size = Object.entries(s.bySize)
      .map(([k, v]) => `${k} ${v === null ? '-' : (100 * v).toFixed(1)}`)
      .join(', ');
    out.write(`${m.padEnd(8)} accuracy ${(100 * s.accuracy).toFixed(1)} % (by size: ${size})\n`);
  }
  out.write(`\nsummary:  ${result.markdown}\n          ${result.json}\nfigures:  ${result.figuresDir} (${result.figureCount} PNG)\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (isWorkbenchError(e)) process.stderr.write(`\nerror: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    else process.stderr.write(`\nerror: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
