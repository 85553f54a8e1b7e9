/**
 * Issue 21: a run never hangs in silence. A config that cannot fit is refused before any GPU work, with the reason
 * and the micro-batch that fits; a GPU device lost mid-run (destroyed through the page's test hook, as a driver
 * reset would) stops the run with a message, keeps its checkpoint for resuming, and the run resumes on a new device.
 * Along the way the memory plan is compared with the GPU buffers tfjs really held, and tfjs's pool is seen trimmed.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

/** The page's test hook (state/test-hooks.ts, with `?test-hooks`): makes the worker's WebGPU device fail. */
function gpuFault(page: Page, fault: 'lose-device' | 'validation-error'): Promise<boolean> {
  return page.evaluate((f) => (globalThis as unknown as { marginStudioTest: { gpuFault(fault: string): Promise<boolean> } }).marginStudioTest.gpuFault(f), fault);
}

const TINY = {
  'arch-select': 'dot',
  'loss-select': 'margin-mse',
  'config-steps': 30,
  'config-batch-size': 8,
  'config-seed': 3,
  'config-hidden': 16,
  'config-heads': 2,
  'config-ffn': 32,
  'config-layers': 1,
  'config-query-length': 8,
  'config-passage-length': 24,
  'config-probe-size': 32,
  'config-eval-every': 0,
  'config-checkpoint-every': 2,
};

test('a run that cannot fit is refused with the micro-batch that fits, before any GPU work', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await expect.poll(() => studio.data.count('passages'), { timeout: 120_000 }).toBe(2000);
  await expect(page.getByTestId('adapter')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  // Batch 4096 of 512-token passages: 8192 sequences' attention scores alone are 8192 × 2 × 512² × 4 bytes = 17 GB.
  await studio.train.configure({ ...TINY, 'config-batch-size': 4096, 'config-query-length': 64, 'config-passage-length': 512 });
  const plan = page.getByTestId('memory-plan');
  await expect(plan).toHaveAttribute('data-fits', 'false');
  const microBatch = Number(await plan.getAttribute('data-micro-batch'));
  expect(microBatch).toBeGreaterThan(0);
  expect(4096 % microBatch).toBe(0);
  await expect(page.getByTestId('memory-plan-reason')).toContainText(`a micro-batch of ${microBatch} fits`);

  await studio.byTestId('train-start').click();
  await studio.train.waitForState('error', 120_000);
  const error = page.getByTestId('train-error');
  // The worker plans again on the device it got, with the same limits, and says the same.
  await expect(error).toContainText('does not fit the device, by its memory plan (nothing was run on the GPU)');
  await expect(error).toContainText(`a micro-batch of ${microBatch} fits`);
  expect(await studio.train.step()).toBe(0);
  // Nothing ran: the run never got as far as a backend of its own.
  await expect(studio.byTestId('backend')).toHaveText('–');
});

test('a GPU device lost mid-run stops the run with a message, and it resumes from its checkpoint on a new device', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open('/?test-hooks');
  await expect.poll(() => studio.data.count('passages'), { timeout: 120_000 }).toBe(2000);
  await studio.train.configure(TINY);
  const plan = page.getByTestId('memory-plan');
  await expect(plan).toHaveAttribute('data-fits', 'true');
  const adapter = page.getByTestId('adapter');
  const limit = Math.min(Number(await adapter.getAttribute('data-max-storage-binding')), Number(await adapter.getAttribute('data-max-buffer')));
  expect(Number(await plan.getAttribute('data-limit'))).toBe(limit);
  const plannedBytes = Number(await plan.getAttribute('data-bytes'));
  expect(plannedBytes).toBeGreaterThan(0);

  await studio.byTestId('train-start').click();
  await expect.poll(async () => Number((await studio.byTestId('checkpoint-status').getAttribute('data-step').catch(() => '0')) ?? 0), { timeout: 240_000, intervals: [100] }).toBeGreaterThanOrEqual(4);
  // What tfjs held on the GPU so far, against the plan.
  const gpu = studio.byTestId('gpu-memory');
  const peak = Number(await gpu.getAttribute('data-peak'));
  const peakUsed = Number(await gpu.getAttribute('data-peak-used'));
  console.log(`planned ${plannedBytes} bytes; tfjs had at most ${peakUsed} in use at once, held at most ${peak} after a step`);
  // Measured here (SwiftShader): planned 5.56 MB, at most 5.02 MB in use (0.90); held to a factor of 1.5 either way.
  expect(peakUsed / plannedBytes).toBeGreaterThan(1 / 1.5);
  expect(peakUsed / plannedBytes).toBeLessThan(1.5);
  expect(peak).toBeGreaterThanOrEqual(peakUsed);

  expect(await gpuFault(page, 'lose-device')).toBe(true);
  await studio.train.waitForState('error', 120_000);
  const error = page.getByTestId('train-error');
  await expect(error).toContainText('the GPU device was lost');
  await expect(error).toContainText('its last checkpoint is kept and offered for resuming');
  const offer = studio.byTestId('resume-offer');
  await expect(offer).toHaveCount(1, { timeout: 30_000 });
  const from = Number(await offer.getAttribute('data-step'));
  expect(from).toBeGreaterThanOrEqual(4);
  expect(from).toBeLessThan(30);

  await studio.byTestId('checkpoint-resume').click();
  await studio.train.waitForState('done');
  expect(Number(await studio.byTestId('train-step').textContent())).toBe(30);
  // The probe's sizes (32 triples) differ from a step's (8): the pool let buffers go rather than keep every size.
  expect(Number(await gpu.getAttribute('data-released'))).toBeGreaterThan(0);
});

test('a WebGPU error nobody caught stops the run with what failed, instead of running on in silence', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open('/?test-hooks');
  await expect.poll(() => studio.data.count('passages'), { timeout: 120_000 }).toBe(2000);
  await studio.train.configure({ ...TINY, 'config-steps': 200 });
  await studio.byTestId('train-start').click();
  await studio.train.waitForStep(2);
  expect(await gpuFault(page, 'validation-error')).toBe(true);
  await studio.train.waitForState('error', 120_000);
  const error = page.getByTestId('train-error');
  await expect(error).toContainText('a WebGPU error nobody caught (GPUValidationError)');
  await expect(error).toContainText('The run stopped');
  expect(await studio.train.step()).toBeLessThan(200);
});
