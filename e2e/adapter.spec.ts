/**
 * WebGPU on a software adapter (this machine's Chromium runs it on SwiftShader) is named as such beside the
 * backend, with a one-click config small enough to train in minutes.
 */
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

test('the SwiftShader adapter shows as software, and the small config fills the form', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  const adapter = page.getByTestId('adapter');
  await expect(adapter).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(adapter).toHaveAttribute('data-software', 'true');
  await expect(adapter).toHaveAttribute('data-architecture', /swiftshader/i);
  await expect(adapter).toContainText('(software)');
  // The backend element keeps its meaning: the tfjs backend of a run, none before one.
  await expect(page.getByTestId('backend')).toHaveText('–');

  const note = page.getByTestId('software-adapter-note');
  await expect(note).toContainText('software adapter');
  await expect(note).toContainText('training will be slow');
  await expect(page.getByTestId('config-steps')).toHaveValue('1000');
  // The planned size is known once the demo's tokenizer is.
  const planned = page.getByTestId('planned-size');
  await expect(planned).not.toHaveAttribute('data-params', '', { timeout: 120_000 });
  const before = Number(await planned.getAttribute('data-params'));
  await studio.train.configure({ 'config-seed': 9 });
  await page.getByTestId('use-small-config').click();
  const expected = {
    'config-steps': '100',
    'config-batch-size': '16',
    'config-hidden': '32',
    'config-heads': '2',
    'config-ffn': '64',
    'config-layers': '1',
    'config-query-length': '8',
    'config-passage-length': '32',
    'config-probe-size': '64',
    // What the person chose stays.
    'config-seed': '9',
  };
  for (const [id, value] of Object.entries(expected)) expect(await studio.train.field(id), id).toBe(value);
  // The planned size follows the draft: half the hidden size, well under half the parameters.
  await expect.poll(async () => Number(await planned.getAttribute('data-params'))).toBeLessThan(before / 2);
  expect(Number(await planned.getAttribute('data-params'))).toBeGreaterThan(0);
});
