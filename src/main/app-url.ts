/**
 * Where the app's own pages come from. Built, they are served by the privileged `laser-app://app`
 * scheme (a real origin, so CSP 'self' and the same-origin policy mean something, unlike file://);
 * in development, by the Vite dev server.
 */
export const appScheme = 'laser-app';
export const appHost = 'app';
export const builtAppUrl = `${appScheme}://${appHost}/index.html`;

export const mediaScheme = 'laser-media';
export const mediaHost = 'media';

/**
 * True when `url` is a page of the app: same scheme and host as `appUrl`. Compared by parts
 * because URL.origin is "null" for custom schemes.
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url);
    const a = new URL(appUrl);
    return u.protocol === a.protocol && u.host === a.host && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
