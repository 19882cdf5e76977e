import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApi } from '../common/contract/client.ts';
import { startServer } from './start-server.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'laser-start-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('startServer', () => {
  it('serves the real engine for the HTTP transport, with no native folder picker', async () => {
    const server = await startServer({ dataDir: join(dir, 'data'), defaultFolder: dir, rendererDir: join(dir, 'no-renderer') });
    try {
      expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{64}$`));
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const api = createApi({ send: (m) => ws.send(JSON.stringify(m)), onMessage: (r) => void ws.on('message', (d) => r(JSON.parse(String(d)))) }, () => '');
      expect(await api.call('host.info', {})).toMatchObject({ transport: 'http', defaultFolder: dir, canPickFolderNatively: false });
      ws.close();
    } finally {
      await server.close();
    }
  });

  it('says which port is taken when it cannot listen', async () => {
    const first = await startServer({ dataDir: join(dir, 'data') });
    try {
      await expect(startServer({ dataDir: join(dir, 'data'), port: first.port })).rejects.toMatchObject({
        message: `Port ${first.port} on 127.0.0.1 is already in use.`,
        hint: expect.stringContaining('--port'),
      });
    } finally {
      await first.close();
    }
  });
});
