import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';
import { chromiumPath, offlineArgs } from '../scripts/chromium.mjs';

// A browser with WebGPU switched off: the studio must fall back, say so on screen, and still train.
test.use({ launchOptions: { executablePath: chromiumPath(), args: ['--disable-features=WebGPU', ...offlineArgs] } });

test('without WebGPU the fallback backend is named on screen with its reason', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  await studio.train.configure({ 'config-steps': 3, 'config-batch-size': 4, 'config-hidden': 16, 'config-passage-length': 16, 'config-probe-size': 8, 'config-backend': 'auto' });
  await studio.train.start();
  await studio.train.waitForStep(3);
  const { backend } = await studio.train.stats();
  expect(['webgl', 'cpu']).toContain(backend);
  await expect.poll(() => studio.train.backendNote()).toContain(`Running on ${backend}, not WebGPU`);
  expect(await studio.train.backendNote()).toContain('webgpu:');
});
