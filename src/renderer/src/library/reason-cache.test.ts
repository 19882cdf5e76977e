import { describe, expect, it } from 'vitest';
import type { Api } from '../../../common/contract/client.ts';
import { WorkbenchError } from '../../../common/contract/errors.ts';
import { createReasonCache, explainWithApi } from './reason-cache.ts';

describe('reason cache', () => {
  it('asks the host once per path, however many tiles ask', async () => {
    const asked: string[] = [];
    const cache = createReasonCache(async (p) => {
      asked.push(p);
      return `bad ${p}`;
    });
    const [a, b] = await Promise.all([cache.explain('/x'), cache.explain('/x')]);
    expect([a, b]).toEqual(['bad /x', 'bad /x']);
    expect(await cache.explain('/x')).toBe('bad /x');
    expect(asked).toEqual(['/x']);
    expect(cache.known('/x')).toBe('bad /x');
    expect(cache.known('/y')).toBeUndefined();
  });

  it('counts the files it found broken and tells its listeners, once per path', async () => {
    const cache = createReasonCache(async (p) => `bad ${p}`);
    let told = 0;
    const stop = cache.subscribe(() => told++);
    expect(cache.count()).toBe(0);
    await Promise.all([cache.explain('/a'), cache.explain('/a'), cache.explain('/b')]);
    expect([cache.count(), told]).toEqual([2, 2]);
    stop();
    await cache.explain('/c');
    expect([cache.count(), told]).toEqual([3, 2]);
  });

  it("turns the details call's error into the reason", async () => {
    const api: Api = {
      call: (async () => {
        throw new WorkbenchError('corrupt-image', 'broken.png is not a valid PNG: bad signature.');
      }) as Api['call'],
      mediaUrl: () => '',
    };
    const noMediaError = async () => {
      throw new Error('must not be asked');
    };
    expect(await explainWithApi(api, noMediaError)('/r/broken.png')).toBe('broken.png is not a valid PNG: bad signature.');
  });

  const details = { path: '/a', name: 'a', bytes: 1, width: 4, height: 3, format: 'png', channels: 3, hasAlpha: false, contentHash: 'h' };
  const readsFine: Api = { call: (async () => details) as Api['call'], mediaUrl: (ref) => `/media?${'path' in ref ? ref.path : ref.id}&${ref.kind}` };

  it("reads the thumbnail response's error when the header reads fine but the pixels do not", async () => {
    const asked: string[] = [];
    const reason = await explainWithApi(readsFine, async (url) => {
      asked.push(url);
      return 'a.png is cut short: the pixel data ends early.';
    })('/a');
    expect(reason).toBe('a.png is cut short: the pixel data ends early.');
    expect(asked).toEqual(['/media?/a&thumbnail']);
  });

  it('says so when neither the details nor the media response give a reason', async () => {
    expect(await explainWithApi(readsFine, async () => null)('/a')).toMatch(/4×3 png image, but no thumbnail/);
  });
});
