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
    // The officers' console, the responders' phone page (issue 13) and the district command centre's page (issue 14).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        responder: fileURLToPath(new URL('./responder.html', import.meta.url)),
        district: fileURLToPath(new URL('./district.html', import.meta.url)),
      },
    },
  },
  server: {
    // shared/ lives two levels up; the dev server must be allowed to read it.
    fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] },
  },
});
