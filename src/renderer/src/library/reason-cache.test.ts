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

  it("turns the details call's error into the reason", async () => {
    const api: Api = {
      call: (async () => {
        throw new WorkbenchError('corrupt-image', 'broken.png is not a valid PNG: bad signature.');
      }) as Api['call'],
      mediaUrl: () => '',
    };
    expect(await explainWithApi(api)('/r/broken.png')).toBe('broken.png is not a valid PNG: bad signature.');
  });

  it('says so when the file reads fine but its thumbnail still failed', async () => {
    const details = { path: '/a', name: 'a', bytes: 1, width: 4, height: 3, format: 'png', channels: 3, hasAlpha: false, contentHash: 'h' };
    const api: Api = { call: (async () => details) as Api['call'], mediaUrl: () => '' };
    expect(await explainWithApi(api)('/a')).toMatch(/4×3 png image, but no thumbnail/);
  });
});
