/**
 * The files the mux page needs, all served from our own origin (never a CDN): the page
 * itself (recorder/mux-page), @ffmpeg/ffmpeg's ES modules (which start their worker from
 * their own URL) and @ffmpeg/core's ES build with its wasm. Paths are resolved through
 * Node's module resolution so they work in the workspace and from an installed package.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MuxAssets {
  /** recorder/mux-page: index.html, mux.js, ffmpeg-worker.js. */
  pageDir: string;
  /** @ffmpeg/ffmpeg/dist/esm: index.js, classes.js, worker.js and what they import. */
  ffmpegDir: string;
  coreJs: string;
  coreWasm: string;
}

export function resolveMuxAssets(): MuxAssets {
  const require = createRequire(import.meta.url);
  const ffmpegRoot = packageRoot(require, '@ffmpeg/ffmpeg');
  const coreRoot = packageRoot(require, '@ffmpeg/core');
  const assets: MuxAssets = {
    // Same depth from src/mux and dist/mux.
    pageDir: fileURLToPath(new URL('../../mux-page/', import.meta.url)),
    ffmpegDir: join(ffmpegRoot, 'dist', 'esm'),
    coreJs: join(coreRoot, 'dist', 'esm', 'ffmpeg-core.js'),
    coreWasm: join(coreRoot, 'dist', 'esm', 'ffmpeg-core.wasm'),
  };
  for (const path of [join(assets.pageDir, 'index.html'), join(assets.ffmpegDir, 'worker.js'), assets.coreJs, assets.coreWasm]) {
    if (!existsSync(path)) throw new Error(`mux asset missing: ${path}`);
  }
  return assets;
}

/**
 * The package's directory. Its exports map hides package.json and points `require` at
 * a stub or the UMD build, so resolve the entry point and walk up to the package.json
 * that carries the name.
 */
function packageRoot(require: NodeJS.Require, name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the directory of ${name}`);
    dir = parent;
  }
}

/** Regular files directly in `dir` whose names pass `keep`. */
export function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => entry.name);
}
