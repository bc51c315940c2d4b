/**
 * Build check for air-gapped networks: no file that Conclave ships to a browser may name
 * an outside host. Run at the end of the client build (`npm run build -w @conclave/client`)
 * over the built client (client/dist), the recorder's mux page (recorder/mux-page) and the
 * ffmpeg.wasm files the recorder serves (@ffmpeg/ffmpeg's ES modules, @ffmpeg/core's
 * script and wasm). It finds http://, https://, ws://, wss:// and protocol-relative
 * //host URLs; each must be on the allow-list below, with the reason it is harmless, or
 * the build fails naming the file, the line (a byte offset in wasm) and the URL.
 *
 *   tsx client/scripts/check-urls.ts [file or directory ...]   (default: everything shipped)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AllowedUrl {
  /** The whole URL as found. */
  url: RegExp;
  reason: string;
}

/** Strings that look like outside URLs and are never fetched. Keep each reason honest. */
export const ALLOWED_URLS: readonly AllowedUrl[] = [
  {
    url: /^http:\/\/www\.w3\.org\/(1999\/xhtml|2000\/svg|1999\/xlink|2001\/XMLSchema-instance|2001\/SMIL20\/Language|ns\/ttml(#\w+)?)$/,
    reason: 'XML namespace URIs (Svelte creates SVG and XHTML elements with them; ffmpeg writes them into XML): names, never fetched',
  },
  { url: /^https:\/\/svelte\.dev\/e\/\w+$/, reason: 'Svelte runtime error messages point to their documentation: text in an error, never fetched' },
  { url: /^https:\/\/socket\.io\/docs\/v3\/migrating-from-2-x-to-3-0\/$/, reason: 'socket.io-client error message text' },
  { url: /^https:\/\/rolldown\.rs\/in-depth\/bundling-cjs#require-external-modules$/, reason: 'the bundler’s error message for a require() the app never makes' },
  { url: /^https:\/\/tinyurl\.com\/y2uuvskb$|^http:\/\/bit\.ly\/2kdckMn$/, reason: 'Dexie (IndexedDB) error message text' },
  { url: /^https?:\/\/json-schema\.org\/draft(-0[47]\/schema#|\/2020-12\/schema)$/, reason: 'JSON Schema `$schema` identifiers in zod’s schema export (unused by the app): names, never fetched' },
  { url: /^https:\/\/…\/r\/…$/, reason: 'placeholder text of the “join with a link” field' },
  { url: /^http:\/\/conclave\.invalid$/, reason: 'base URL for parsing a pasted link; .invalid never resolves (RFC 2606)' },
  { url: /^http:\/\/\[\$\{\w+\}\]$/, reason: 'zod validates an IPv6 address by parsing it inside a URL, never fetched' },
  {
    url: /^https:\/\/unpkg\.com\/@ffmpeg\/core@\$\{CORE_VERSION\}\/dist\/umd\/ffmpeg-core\.js$/,
    reason:
      '@ffmpeg/ffmpeg’s default core URL, used only when load() gets no coreURL: mux-page/mux.js always passes /core/ffmpeg-core.js, and the mux page’s CSP (script-src and connect-src \'self\') refuses anything else',
  },
  { url: /^https:\/\/emscripten\.org\/docs\/compiling\/Dynamic-Linking\.html$/, reason: 'Emscripten error message text in ffmpeg-core.js' },
  { url: /^http:\/\/%s$/, reason: 'ffmpeg’s URL format string for its HTTP protocol, which the mux page never uses (local files only; its CSP allows its own origin only)' },
  {
    url: /^http:\/\/(dashif\.org\/guidelines\/trickmode|ns\.adobe\.com\/f4m\/1\.0|standards\.iso\.org\/ittf\/PubliclyAvailableStandards\/MPEG-DASH_schema_files\/DASH-MPD\.xsd|www\.ffmpeg\.org\/schema\/ffprobe)$/,
    reason: 'identifiers ffmpeg writes into DASH, F4M and ffprobe XML (muxers the recorder does not use): names, never fetched',
  },
  { url: /^http:\/\/(www\.videolan\.org\/x264\.html|x265\.org)$/, reason: 'encoder version banners compiled into ffmpeg-core.wasm (the recorder never encodes)' },
  { url: /^https:\/\/streams\.videolan\.org\/upload\/$/, reason: 'ffmpeg’s “please send a sample” error message text' },
];

export interface Finding {
  file: string;
  /** Line number in text; byte offset in a binary (wasm). */
  line: number;
  url: string;
}

/**
 * A URL with a scheme (template holes `${name}` included), or a protocol-relative //host (a dotted host name after `//` that
 * follows a quote, `=`, `(` or white space: where a string or attribute value starts).
 */
const URL_PATTERN = /\b(?:https?|wss?):\/\/(?:\$\{\w+\}|[^\s"'`<>()\\{}|^])*|(?<=["'`=(\s])\/\/(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#][^\s"'`<>()\\{}|^]*)?(?![\w.-])/gi;

/** The host of a found URL, or '' when none is written (a scheme prefix the code completes at run time). */
function hostOf(url: string): string {
  return /^(?:[a-z]+:)?\/\/([^/?#]*)/i.exec(url)?.[1] ?? '';
}

/** Hosts that are this machine (never outside, whatever the network). */
const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/** Every URL in `text` that names a host, with its line. */
export function findUrls(text: string): { line: number; url: string }[] {
  return text.split('\n').flatMap((content, index) => urlsIn(content).map((url) => ({ line: index + 1, url })));
}

function urlsIn(text: string): string[] {
  return [...text.matchAll(URL_PATTERN)].map((match) => match[0].replace(/[.,;:]+$/, '')).filter((url) => hostOf(url) !== '');
}

function isOutside(url: string, allowed: readonly AllowedUrl[]): boolean {
  return !LOCAL_HOST.test(hostOf(url)) && !allowed.some((entry) => entry.url.test(url));
}

/** The URLs in one file's text that name an outside host and are not allowed. */
export function outsideUrls(file: string, text: string, allowed: readonly AllowedUrl[] = ALLOWED_URLS): Finding[] {
  return findUrls(text)
    .filter(({ url }) => isOutside(url, allowed))
    .map(({ line, url }) => ({ file, line, url }));
}

/**
 * The outside URLs of one file, where a browser could act on them: a text file whole; in
 * a source map only where developer tools would fetch sources from (not the sources' own
 * text and comments); in wasm its printable strings, reported at their byte offset.
 */
function checkFile(path: string, name: string): Finding[] {
  const bytes = readFileSync(path);
  if (path.endsWith('.map')) {
    const map = JSON.parse(bytes.toString('utf8')) as { sources?: string[]; sourceRoot?: string; file?: string };
    // "Line" n is sources[n - 1]; then sourceRoot and file.
    return outsideUrls(name, [...(map.sources ?? []), map.sourceRoot ?? '', map.file ?? ''].map((entry) => JSON.stringify(entry)).join('\n'));
  }
  if (extname(path) === '.wasm') {
    return [...bytes.toString('latin1').matchAll(/[\x20-\x7e]{6,}/g)].flatMap((match) =>
      urlsIn(match[0])
        .filter((url) => isOutside(url, ALLOWED_URLS))
        .map((url) => ({ file: name, line: match.index, url })),
    );
  }
  return outsideUrls(name, bytes.toString('utf8'));
}

/** Findings over files and directories (recursively); file names relative to `root`. */
export function checkPaths(paths: readonly string[], root = process.cwd()): Finding[] {
  const files: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    else files.push(path);
  };
  paths.forEach(walk);
  return files.flatMap((file) => checkFile(file, relative(root, file)));
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Everything Conclave serves to browsers: the built client, the mux page and the ffmpeg.wasm files the recorder serves. */
export function shippedPaths(): string[] {
  // Resolved as the recorder resolves them (recorder/src/mux/assets.ts).
  const require = createRequire(join(REPO, 'recorder', 'package.json'));
  const ffmpegEsm = join(packageDir(require.resolve('@ffmpeg/ffmpeg'), '@ffmpeg/ffmpeg'), 'dist', 'esm');
  const coreEsm = join(packageDir(require.resolve('@ffmpeg/core'), '@ffmpeg/core'), 'dist', 'esm');
  return [
    join(REPO, 'client', 'dist'),
    join(REPO, 'recorder', 'mux-page'),
    ...readdirSync(ffmpegEsm).filter((name) => /\.m?js$/.test(name)).map((name) => join(ffmpegEsm, name)),
    join(coreEsm, 'ffmpeg-core.js'),
    join(coreEsm, 'ffmpeg-core.wasm'),
  ];
}

function packageDir(entry: string, name: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name) return dir;
    } catch {
      // no package.json here
    }
  }
  throw new Error(`cannot find the directory of ${name}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const paths = process.argv.length > 2 ? process.argv.slice(2) : shippedPaths();
  const findings = checkPaths(paths, REPO);
  if (findings.length > 0) {
    for (const { file, line, url } of findings) console.error(`${file}:${line}: ${url}`);
    console.error(`check-urls: ${findings.length} URL(s) to an outside host in shipped files; remove them or add them to ALLOWED_URLS in client/scripts/check-urls.ts with the reason`);
    process.exit(1);
  }
  process.stdout.write(`check-urls: no outside URL in ${paths.length} shipped path(s)\n`);
}
