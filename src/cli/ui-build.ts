/**
 * `laser serve` from a source checkout that was never built (a fresh clone after `npm ci`): build
 * the renderer once before serving, instead of serving a "UI not built" page. An installed copy
 * ships out/renderer and never builds.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What `laser serve` does about the UI: nothing when it is built; builds it when it can; says why not otherwise. */
export type UiPlan = { kind: 'built' } | { kind: 'build'; cli: string; cwd: string } | { kind: 'cannot'; reason: string };

export function uiPlan(rendererDir: string, projectRoot: string, resolveModule: (id: string) => string | null): UiPlan {
  if (existsSync(join(rendererDir, 'index.html'))) return { kind: 'built' };
  const manifest = resolveModule('electron-vite/package.json');
  if (!manifest || !existsSync(join(projectRoot, 'electron.vite.config.ts'))) {
    return {
      kind: 'cannot',
      reason: `there is no built UI in ${rendererDir}, and this copy has no build tools (run \`npm ci\` and \`npm run build\` in a source checkout)`,
    };
  }
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> };
  return { kind: 'build', cli: join(dirname(manifest), typeof bin === 'string' ? bin : bin['electron-vite']), cwd: projectRoot };
}

/** Builds the UI if it is missing and can be built; resolves to a warning line when it stays missing, else null. */
export async function ensureUiBuilt(rendererDir: string, projectRoot: string, say: (line: string) => void): Promise<string | null> {
  const require = createRequire(join(projectRoot, 'package.json'));
  const plan = uiPlan(rendererDir, projectRoot, (id) => {
    try {
      return require.resolve(id);
    } catch {
      return null;
    }
  });
  if (plan.kind === 'built') return null;
  if (plan.kind === 'cannot') return `Warning: ${plan.reason}; the browser will show a page saying so.`;
  say('The workbench UI is not built yet: building it once (electron-vite build, about half a minute)…');
  let log = '';
  const code = await new Promise<number>((done) => {
    // its output only matters when it fails: kept, and shown then
    const child = spawn(process.execPath, [plan.cli, 'build'], { cwd: plan.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    child.on('exit', (c) => done(c ?? 1));
    child.on('error', () => done(1));
  });
  if (code === 0 && existsSync(join(rendererDir, 'index.html'))) return null;
  say(log.split('\n').slice(-20).join('\n'));
  return `Warning: the UI build failed (exit ${code}); the browser will show a page saying so. Run \`npm run build\` to see why.`;
}
