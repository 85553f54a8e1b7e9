// Checkpoint cost for the default run config on the demo, and how long after a reload a resumed run is training
// again, in headless Chromium (WebGPU; SwiftShader on machines without a GPU).
// Usage: npm run bench:checkpoint [-- --port 4181]
// Needs the built app (npm run bench:checkpoint builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { flags, openStudio } from './lib.mjs';

const args = flags();
const { context, page, get } = await openStudio(Number(args.port ?? 4181), 'checkpoint');
try {
  // The default config, except: a checkpoint after every step, and few steps (a default step takes seconds here).
  await get('config-steps').fill('4');
  await get('config-checkpoint-every').fill('1');
  await get('train-start').click();
  const status = page.locator('[data-testid="checkpoint-status"][data-step="2"]');
  await status.waitFor({ timeout: 600_000 });
  const bytes = Number(await status.getAttribute('data-bytes'));
  const seconds = Number(await status.getAttribute('data-seconds'));
  const params = Number(await get('param-count').textContent());
  console.log(`backend: ${await get('backend').textContent()}, parameters: ${params}`);
  console.log(`checkpoint at step 2: ${(bytes / 1e6).toFixed(2)} MB of tensor data (weights + Adam's two moments = ${((3 * 4 * params) / 1e6).toFixed(2)} MB), written in ${seconds.toFixed(3)} s (read back from the device and stored)`);

  await page.reload();
  await get('checkpoint-resume').waitFor({ timeout: 60_000 });
  const from = Number(await get('resume-offer').getAttribute('data-step'));
  const clicked = Date.now();
  await get('checkpoint-resume').click();
  await page.locator('[data-testid="train-state"][data-state="running"]').waitFor({ timeout: 600_000 });
  const running = Date.now();
  await page.locator(`[data-testid="train-step"]:text-is("${from + 1}")`).waitFor({ timeout: 600_000 });
  const firstStep = Date.now();
  console.log(`after the reload, resuming from step ${from}: training again ${((running - clicked) / 1000).toFixed(2)} s after Resume (dataset read, student built, checkpoint restored); first new step (${from + 1}) shown ${((firstStep - clicked) / 1000).toFixed(2)} s after Resume`);
  await page.locator('[data-testid="train-state"][data-state="done"]').waitFor({ timeout: 600_000 });
} finally {
  await context.close();
}
process.exit(0);
