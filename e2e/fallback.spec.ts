import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';
import { chromiumPath, offlineArgs } from '../scripts/chromium.mjs';

// A browser with WebGPU switched off: the studio must fall back, say so on screen, and still train.
test.use({ launchOptions: { executablePath: chromiumPath(), args: ['--disable-features=WebGPU', ...offlineArgs] } });

test('without WebGPU the fallback backend is named on screen with its reason', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await expect.poll(() => studio.data.count('passages'), { timeout: 120_000 }).toBe(2000);
  await studio.train.configure({ 'config-steps': 3, 'config-batch-size': 4, 'config-hidden': 16, 'config-passage-length': 16, 'config-probe-size': 8, 'config-backend': 'auto' });
  await studio.byTestId('train-start').click();
  await studio.train.waitForStep(3);
  const backend = await studio.byTestId('backend').textContent();
  expect(['webgl', 'cpu']).toContain(backend);
  await expect(studio.byTestId('backend-note')).toContainText(`Running on ${backend}, not WebGPU`);
  await expect(studio.byTestId('backend-note')).toContainText('webgpu:');
});
