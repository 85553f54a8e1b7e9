// Prints training speed for the demo in headless Chromium (WebGPU through whatever adapter the browser finds;
// SwiftShader on machines without a GPU).
// Usage: npm run bench:train [-- --steps 60 --batch 32 --hidden 64 --passage 48 --probe 192 --backend auto --verbose 1 --port 5180]
// Fields not given keep the studio's defaults.
// Needs the built app (npm run bench:train builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';

const args = flagsOrExit('npm run bench:train --', {
  steps: { type: 'integer', min: 1, default: 60 },
  batch: { type: 'integer', min: 1, help: 'batch size' },
  hidden: { type: 'integer', min: 1 },
  passage: { type: 'integer', min: 1, help: 'passage tokens' },
  probe: { type: 'integer', min: 1, help: 'probe triples' },
  backend: { choices: ['auto', 'webgpu', 'webgl', 'cpu'], default: 'auto' },
  verbose: { type: 'integer', default: 0, help: '1: print the page\'s console and every change of the run' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});

const { studio, page, startedAt, close } = await launchStudio(args.port === undefined ? {} : { port: args.port });
try {
  if (args.verbose) {
    page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
    page.on('worker', (w) => w.on('console', (m) => console.log(`[worker ${m.type()}] ${m.text()}`)));
  }
  console.log(`page usable with the demo loaded: ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the server was started`);
  /** @type {Record<string, string | number>} */
  const fields = { 'config-steps': args.steps, 'config-backend': args.backend };
  if (args.batch !== undefined) fields['config-batch-size'] = args.batch;
  if (args.hidden !== undefined) fields['config-hidden'] = args.hidden;
  if (args.passage !== undefined) fields['config-passage-length'] = args.passage;
  if (args.probe !== undefined) fields['config-probe-size'] = args.probe;
  await studio.configure(fields);
  const batch = Number(await studio.field('config-batch-size'));
  await studio.startTraining();
  const started = Date.now();
  // Steady state: from the first step shown (shaders compiled, data loaded) to the end.
  /** @type {{ step: number, at: number } | null} */
  let firstStep = null;
  const end = await studio.waitForRunEnd({
    interval: 100,
    onProgress: (s) => {
      if (!firstStep && s.step > 0) firstStep = { step: s.step, at: Date.now() };
      if (args.verbose) console.log(`${((Date.now() - started) / 1000).toFixed(1)}s state=${s.state} step=${s.step} loss=${s.loss} triples/s=${s.throughput} backend=${s.backend}`);
    },
  });
  const ended = Date.now();
  const wall = (ended - started) / 1000;
  const tps = end.throughput ?? 0;
  console.log(`backend: ${end.backend}`);
  console.log(`config: steps=${args.steps} batch=${batch} hidden=${await studio.field('config-hidden')} passage=${await studio.field('config-passage-length')} probe=${await studio.field('config-probe-size')} (other fields at their defaults)`);
  console.log(`last-window throughput: ${tps.toFixed(1)} triples/s = ${(tps / batch).toFixed(2)} steps/s`);
  console.log(`whole run incl. data load, shader compilation and probes: ${wall.toFixed(1)} s = ${(args.steps / wall).toFixed(2)} steps/s = ${((args.steps * batch) / wall).toFixed(1)} triples/s`);
  const first = /** @type {{ step: number, at: number } | null} */ (firstStep);
  if (first && args.steps > first.step) {
    const sps = (args.steps - first.step) / ((ended - first.at) / 1000);
    console.log(`steady state (steps ${first.step}-${args.steps}, probes included): ${sps.toFixed(3)} steps/s = ${(sps * batch).toFixed(2)} triples/s`);
  }
  console.log(`final loss: ${end.loss}`);
} finally {
  await close();
}
process.exit(0);
