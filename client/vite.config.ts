import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The signaling server serves dist/ in production; `npm run dev -w @conclave/client`
// proxies Socket.IO to a server started separately on port 3000.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // The meeting app, the recorder page the recording service opens in its own browser,
    // and the archivist portal the archive service serves (docs/archive.md).
    rollupOptions: { input: { main: 'index.html', recorder: 'recorder.html', archive: 'archive.html' } },
  },
  worker: { format: 'es' },
  server: {
    proxy: { '/socket.io': { target: 'http://127.0.0.1:3000', ws: true } },
  },
});
