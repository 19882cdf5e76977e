/**
 * The import rules of ARCHITECTURE.md's folder table are enforced by eslint.config.js: fed a file
 * that breaks one, the linter must fail it (and pass the same file's allowed import).
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${file}` });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the folder table, enforced by lint', () => {
  it('src/main may not import src/server; the shared host pieces come from src/engine/service', async () => {
    expect(
      await restricted(
        'src/main/forbidden.ts',
        "import { contentSecurityPolicy } from '../server/security-headers.ts';\nexport const c = contentSecurityPolicy;\n",
      ),
    ).toEqual([expect.stringContaining('src/main is the Electron host')]);
    expect(
      await restricted(
        'src/main/allowed.ts',
        "import { contentSecurityPolicy } from '../engine/service/security-headers.ts';\nexport const c = contentSecurityPolicy;\n",
      ),
    ).toEqual([]);
  });

  it('src/engine may not import a host, and the renderer may not import the engine', async () => {
    expect(await restricted('src/engine/x.ts', "import { startServer } from '../server/start-server.ts';\nexport const s = startServer;\n")).toHaveLength(1);
    expect(
      await restricted('src/renderer/src/x.ts', "import { createWorkbench } from '../../engine/service/workbench.ts';\nexport const w = createWorkbench;\n"),
    ).toHaveLength(1);
  });
});
