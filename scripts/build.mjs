// Builds the studio as `vite build` does, into the folder the runner and the benchmarks serve: dist/, or MARGIN_DIST
// (so that a test, or a second build beside someone else's, does not overwrite dist/ while it is being served).
// Rolldown's plugin-timing hints are off: they come and go with the machine's load, not with the build, and would put
// noise on the runner's stderr.
import { build } from 'vite';
import { distDir } from './serve.mjs';

const quiet = { checks: { bundlerTimings: false } };
await build({ build: { outDir: distDir(), emptyOutDir: true, rolldownOptions: quiet }, worker: { rolldownOptions: quiet } });
