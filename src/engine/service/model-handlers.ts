/** The `models.*` methods over the model catalog (registered bundles, the demo model, compiles). */
import type { Handlers } from '../../common/contract/host.ts';
import type { ModelCatalog } from '../models/catalog.ts';

type ModelHandlers = Pick<Handlers, 'models.list' | 'models.add' | 'models.remove'>;

export function modelHandlers(catalog: ModelCatalog, expandPath: (p: string) => string): ModelHandlers {
  return {
    'models.list': async () => catalog.list(),
    'models.add': async ({ path, compile }, ctx) => catalog.add(expandPath(path), { signal: ctx.signal, onProgress: ctx.progress }, compile),
    'models.remove': async ({ id }) => ({ removed: await catalog.remove(id) }),
  };
}
