// Checkpoint cost for the default run config on the demo, and how long after a reload a resumed run is training
// again, in headless Chromium (WebGPU; SwiftShader on machines without a GPU).
// Usage: npm run bench:checkpoint [-- --port 5180]
// Needs the built app (npm run bench:checkpoint builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { pollUntil } from '../scripts/studio-page.mjs';
import { profileDir } from './lib.mjs';

const args = flagsOrExit('npm run bench:checkpoint --', {
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});
const { studio, close } = await launchStudio({ profile: profileDir('checkpoint'), ...(args.port === undefined ? {} : { port: args.port }) });
try {
  // The default config, except: a checkpoint after every step, and few steps (a default step takes seconds here).
  await studio.train.configure({ 'config-steps': 4, 'config-checkpoint-every': 1 });
  await studio.train.start();
  const saved = /** @type {{ step: number, bytes: number, seconds: number }} */ (
    await pollUntil(
    async () => {
      if ((await studio.train.state()) === 'error') throw new Error(`training failed: ${await studio.text('train-error')}`);
      return studio.train.checkpoint();
    },
    (c) => c !== null && c.step >= 2,
      { timeout: 600_000, what: 'the checkpoint of step 2' },
    )
  );
  const stats = await studio.train.stats();
  const params = Number(await studio.text('param-count'));
  console.log(`backend: ${stats.backend}, parameters: ${params}`);
  console.log(`checkpoint at step ${saved.step}: ${(saved.bytes / 1e6).toFixed(2)} MB of tensor data (weights + Adam's two moments = ${((3 * 4 * params) / 1e6).toFixed(2)} MB), written in ${saved.seconds.toFixed(3)} s (read back from the device and stored)`);

  await studio.reload();
  await studio.byTestId('checkpoint-resume').waitFor({ timeout: 120_000 });
  const from = Number(await studio.attr('resume-offer', 'data-step'));
  const clicked = Date.now();
  await studio.byTestId('checkpoint-resume').click();
  await studio.train.waitForState('running', 600_000);
  const running = Date.now();
  await studio.train.waitForStep(from + 1, 600_000);
  const firstStep = Date.now();
  console.log(`after the reload, resuming from step ${from}: training again ${((running - clicked) / 1000).toFixed(2)} s after Resume (dataset read, student built, checkpoint restored); first new step (${from + 1}) shown ${((firstStep - clicked) / 1000).toFixed(2)} s after Resume`);
  await studio.train.waitForState('done', 600_000);
} finally {
  await close();
}
process.exit(0);
