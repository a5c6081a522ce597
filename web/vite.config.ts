// The tabs' build: one entry, each tab a lazy chunk. `npm run build:web` writes web/dist, which
// Trellis serves (/tabs/*, /assets/*); scripts/check-bundle.ts holds the catalog tab to its budget.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 600,
  },
});
