/**
 * Builds the web client into dist/, which the Xinbox server serves at `/`.
 * TSX is compiled by Vite's own transformer (Oxc in Vite 8; it replaced the
 * esbuild transform) with Preact's automatic JSX runtime, matching the root
 * tsconfig (jsx: react-jsx, jsxImportSource: preact), so no plugin is needed.
 */
import { join } from 'node:path';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // Bundle @xinbox/sdk and @xinbox/protocol from their TypeScript sources (the
  // "@xinbox/source" export condition), so the web client does not wait for the
  // tsc build; other bundlers get the compiled dist/ through "import"/"default".
  resolve: { conditions: ['@xinbox/source', ...defaultClientConditions] },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Two pages: the chat client and the operators' console (admin.html).
    rollupOptions: { input: { main: join(import.meta.dirname, 'index.html'), admin: join(import.meta.dirname, 'admin.html') } },
  },
  server: {
    // `npx vite` in development: talk to a Xinbox server started separately.
    proxy: {
      '/v1': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
