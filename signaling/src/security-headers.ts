/**
 * Security headers for every page Conclave serves: the meeting app (signaling server),
 * the recorder page (recording service) and the ffmpeg.wasm mux page. One module, used
 * by both packages (the recorder imports it as `@conclave/signaling/security-headers`),
 * so the policies cannot drift apart. Why each header and directive: docs/security.md.
 */

/** A CSP: directive name to its sources, in order. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/**
 * What every Conclave page shares: nothing inline (no `'unsafe-inline'`, no eval), no
 * plugins, no `<base>`, forms only to the page's own origin, never framed.
 */
const COMMON: CspDirectives = {
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The meeting app and the recorder page (both the built client): scripts, styles, images
 * and the media worker from the page's own origin only, and network connections to
 * `connectTo` besides it. Svelte 5 sets dynamic styles through the CSSOM
 * (`element.style`), which CSP does not restrict, so no `'unsafe-inline'` for styles.
 * Video and audio play from MediaStreams (`srcObject`), which CSP does not govern either.
 */
export function appPolicy(connectTo: readonly string[] = []): CspDirectives {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'"],
    'media-src': ["'self'"],
    'worker-src': ["'self'"],
    'connect-src': ["'self'", ...connectTo],
    ...COMMON,
  };
}

/**
 * The mux page: nothing at all by default; its scripts and ffmpeg.wasm's worker from its
 * own origin, WebAssembly compilation allowed (`'wasm-unsafe-eval'`, which allows wasm
 * only, not JavaScript eval), and fetches (the core, the job's inputs, the upload of the
 * result) to its own origin only.
 */
export function muxPagePolicy(): CspDirectives {
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'"],
    'connect-src': ["'self'"],
    ...COMMON,
    'form-action': ["'none'"],
  };
}

const KEYWORDS = new Set(["'self'", "'none'", "'wasm-unsafe-eval'", 'data:', 'blob:']);
const DIRECTIVE_NAME = /^[a-z-]+$/;

/** Serialises a policy; refuses wildcards, inline allowances and anything that is not an origin. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => {
      if (!DIRECTIVE_NAME.test(name)) throw new Error(`not a CSP directive name: ${name}`);
      for (const source of sources) {
        if (!KEYWORDS.has(source) && !isOrigin(source)) throw new Error(`refusing CSP source ${JSON.stringify(source)} in ${name}`);
      }
      return [name, ...sources].join(' ');
    })
    .join('; ');
}

function isOrigin(source: string): boolean {
  try {
    const url = new URL(source);
    return ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && url.origin === source && !url.hostname.includes('*');
  } catch {
    return false;
  }
}

/**
 * The CSP sources that let a page reach the server at `url`: its origin, and the same
 * host for WebSockets (`http:` sources do not match `ws:` URLs; only `'self'` does).
 */
export function connectSourcesFor(url: string): string[] {
  const { protocol, host } = new URL(url);
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
  const secure = protocol === 'https:';
  return [`${protocol}//${host}`, `${secure ? 'wss:' : 'ws:'}//${host}`];
}

/**
 * Powerful features: the meeting needs the camera, the microphone, screen sharing,
 * full screen and autoplay, for its own origin only (`(self)`: never for a frame from
 * elsewhere); everything else that can reach hardware, location, payments or
 * identities is off for everyone. Only features Chromium knows: an unknown one is
 * reported on every page load (Web Bluetooth, for one, is not a policy feature there).
 */
export const PERMISSIONS_POLICY = [
  'camera=(self)',
  'microphone=(self)',
  'display-capture=(self)',
  'fullscreen=(self)',
  'autoplay=(self)',
  ...[
    'accelerometer',
    'browsing-topics',
    'gyroscope',
    'geolocation',
    'hid',
    'idle-detection',
    'magnetometer',
    'midi',
    'payment',
    'publickey-credentials-get',
    'screen-wake-lock',
    'serial',
    'usb',
    'xr-spatial-tracking',
  ].map((feature) => `${feature}=()`),
].join(', ');

/** HSTS for a year; subdomains are not ours to decide. */
export const HSTS = 'max-age=31536000';

export interface SecurityHeaderOptions {
  csp: CspDirectives;
  /** Browsers reach this server over HTTPS (directly or through a TLS proxy): adds Strict-Transport-Security. */
  tls: boolean;
}

/** Every header, lower-case names, ready for `response.setHeader`. */
export function securityHeaders({ csp, tls }: SecurityHeaderOptions): Record<string, string> {
  return {
    'content-security-policy': serializeCsp(csp),
    // The room secret is in the fragment, which browsers never put in a Referer; the
    // path still holds the room id, so no referrer at all.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': PERMISSIONS_POLICY,
    ...(tls ? { 'strict-transport-security': HSTS } : {}),
  };
}

/** Sets `headers` on a response (before it is written). */
export function applyHeaders(response: { setHeader(name: string, value: string): unknown }, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
}
