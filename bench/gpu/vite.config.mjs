// Bundles bench/gpu/entry.ts and everything it imports (tfjs included) into one ES module for Node.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: 'bench/gpu/entry.ts',
    outDir: 'bench/out/gpu',
    emptyOutDir: true,
    minify: false,
    rollupOptions: { output: { format: 'es', entryFileNames: 'entry.mjs', inlineDynamicImports: true } },
  },
  ssr: { noExternal: true, target: 'node' },
});
