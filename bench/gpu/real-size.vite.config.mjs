// Bundles bench/gpu/real-size-entry.ts and everything it imports (tfjs and the BERT vocabulary included) into one ES
// module for Node, as vite.config.mjs does for entry.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: 'bench/gpu/real-size-entry.ts',
    outDir: 'bench/out/gpu-real-size',
    emptyOutDir: true,
    minify: false,
    rollupOptions: { output: { format: 'es', entryFileNames: 'real-size-entry.mjs', inlineDynamicImports: true } },
  },
  ssr: { noExternal: true, target: 'node' },
});
