import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs alone is ~1.5 MB minified; a warning per build would only be noise.
    chunkSizeWarningLimit: 4000,
    // lab.html: the kernel lab the profiling benchmark and the kernel tests drive (src/lab/main.ts).
    // Class names kept: the profile names tfjs's WebGPU programs by their classes (MatMulPackedProgram, ReduceProgram).
    rolldownOptions: { input: { main: 'index.html', lab: 'lab.html' }, output: { keepNames: true } },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // No unit test asserts a time: the default 5 s limit only turned a loaded machine's slow module imports (a fresh
    // copy of a store per test) into failures. A hung test still fails, after 30 s.
    testTimeout: 30_000,
  },
});
