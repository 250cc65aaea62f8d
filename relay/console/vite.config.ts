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
    sourcemap: true,
    // The station console, and the district command centre's page (issue 14).
    rollupOptions: { input: { main: fileURLToPath(new URL('./index.html', import.meta.url)), district: fileURLToPath(new URL('./district.html', import.meta.url)) } },
  },
  server: {
    // shared/ lives two levels up; the dev server must be allowed to read it.
    fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] },
  },
});
