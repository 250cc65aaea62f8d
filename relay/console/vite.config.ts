import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The relay serves dist/ at "/", so every asset path is relative.
export default defineConfig({
  root,
  base: './',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Maps are kept for debugging on the build machine but not referenced from the bundle; the relay refuses to serve *.map.
    sourcemap: 'hidden',
  },
  server: {
    // shared/ lives two levels up; the dev server must be allowed to read it.
    fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] },
  },
});
