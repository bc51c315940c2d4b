/** The portal's hash routes: `#/` (search) and `#/recordings/<id>`. */
export type Route = { page: 'search' } | { page: 'recording'; id: string } | { page: 'not-found' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/') return { page: 'search' };
  const match = /^\/recordings\/([^/?#]+)\/?$/.exec(path);
  if (match) {
    try {
      return { page: 'recording', id: decodeURIComponent(match[1] as string) };
    } catch {
      return { page: 'not-found' };
    }
  }
  return { page: 'not-found' };
}

export function recordingHref(id: string): string {
  return `#/recordings/${encodeURIComponent(id)}`;
}

export const SEARCH_HREF = '#/';
