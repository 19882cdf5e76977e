/**
 * `laser serve`'s server (src/server/http-server.ts) in a child process of its own, over a
 * Workbench whose `library.scan` reports one progress event and then waits for its cancel; prints
 * `port <n>` on stdout once listening. test/transports/cancel-and-death.test.ts kills it mid-call.
 */
import { cancelledError } from '../../src/common/contract/errors.ts';
import type { Handlers } from '../../src/common/contract/host.ts';
import { serveWorkbench } from '../../src/server/http-server.ts';

const handlers = {
  'library.scan': (_req, { signal, progress }) =>
    new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(cancelledError()), { once: true });
      progress({ entries: [], found: 0, broken: 0, directoriesVisited: 0 });
    }),
} as Partial<Handlers> as Handlers;

const server = await serveWorkbench({ handlers, media: { get: () => Promise.reject(cancelledError()) } }, { port: 0, token: process.argv[2] });
process.stdout.write(`port ${server.port}\n`);
