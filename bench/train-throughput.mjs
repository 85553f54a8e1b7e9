// Prints training speed for the demo in headless Chromium (WebGPU through whatever adapter the browser finds;
// SwiftShader on machines without a GPU).
// Usage: npm run bench:train [-- --steps 60 --batch 32 --hidden 64 --passage 48 --probe 192 --backend auto --verbose 1]
// Fields not given keep the studio's defaults.
// Needs the built app (npm run build) and Chromium (node scripts/ensure-chromium.mjs).
import { launchWebgpuChromium } from '../scripts/chromium.mjs';
import { flags, servePreview } from './lib.mjs';

const args = flags();
const steps = Number(args.steps ?? 60);
const batch = args.batch ? Number(args.batch) : undefined;
const backend = args.backend ?? 'auto';
const t0 = Date.now();
const url = await servePreview(Number(args.port ?? 4180));
const browser = await launchWebgpuChromium();
try {
  const page = await browser.newPage();
  page.on('console', (m) => args.verbose && console.log(`[page ${m.type()}] ${m.text()}`));
  page.on('worker', (w) => w.on('console', (m) => args.verbose && console.log(`[worker ${m.type()}] ${m.text()}`)));
  await page.goto(url);
  const get = (id) => page.getByTestId(id);
  await get('dataset-summary').and(page.locator('[data-passages="2000"]')).waitFor({ timeout: 120_000 });
  console.log(`page usable with the demo loaded: ${((Date.now() - t0) / 1000).toFixed(1)} s after the server was started`);
  await get('config-steps').fill(String(steps));
  if (batch) await get('config-batch-size').fill(String(batch));
  if (args.hidden) await get('config-hidden').fill(String(args.hidden));
  if (args.passage) await get('config-passage-length').fill(String(args.passage));
  if (args.probe) await get('config-probe-size').fill(String(args.probe));
  await get('config-backend').selectOption(backend);
  const cfgBatch = Number(await get('config-batch-size').inputValue());
  await get('train-start').click();
  const started = Date.now();
  let last = '';
  // Steady state: from the first loss read-back (shaders compiled, data loaded) to the end.
  let firstLog = null;
  for (;;) {
    const state = await get('train-state').getAttribute('data-state');
    const stepNow = Number(await get('train-step').textContent());
    if (!firstLog && stepNow > 0) firstLog = { step: stepNow, at: Date.now() };
    const line = `state=${state} step=${await get('train-step').textContent()} loss=${await get('train-loss').textContent()} triples/s=${await get('throughput').textContent()} backend=${await get('backend').textContent()}`;
    if (line !== last && args.verbose) console.log(`${((Date.now() - started) / 1000).toFixed(1)}s ${line}`);
    last = line;
    if (state === 'done' || state === 'error') break;
    await page.waitForTimeout(100);
  }
  const ended = Date.now();
  const state = await get('train-state').getAttribute('data-state');
  if (state === 'error') throw new Error(`training failed: ${await get('train-error').textContent()}`);
  const wall = (ended - started) / 1000;
  const tps = Number(await get('throughput').textContent());
  console.log(`backend: ${await get('backend').textContent()}`);
  const field = (id) => get(id).inputValue();
  console.log(`config: steps=${steps} batch=${cfgBatch} hidden=${await field('config-hidden')} passage=${await field('config-passage-length')} probe=${await field('config-probe-size')} (other fields at their defaults)`);
  console.log(`last-window throughput: ${tps.toFixed(1)} triples/s = ${(tps / cfgBatch).toFixed(2)} steps/s`);
  console.log(`whole run incl. data load, shader compilation and probes: ${wall.toFixed(1)} s = ${(steps / wall).toFixed(2)} steps/s = ${((steps * cfgBatch) / wall).toFixed(1)} triples/s`);
  if (firstLog && steps > firstLog.step) {
    const sps = (steps - firstLog.step) / ((ended - firstLog.at) / 1000);
    console.log(`steady state (steps ${firstLog.step}-${steps}, probes included): ${sps.toFixed(3)} steps/s = ${(sps * cfgBatch).toFixed(2)} triples/s`);
  }
  console.log(`final loss: ${await get('train-loss').textContent()}`);
} finally {
  await browser.close();
  stopServer();
}
