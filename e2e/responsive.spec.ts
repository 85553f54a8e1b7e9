import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

/**
 * The page stays responsive while a run redraws its charts: no main-thread task longer than BOUND_MS once the
 * charts are on the page. The goal is 50 ms (a frame and a half; bench:train reports the count over it); the bound is
 * loose because this check runs on shared CI-like machines, on a CPU that SwiftShader's WebGPU and the training
 * worker share with the page, which stretch every task several times over. It still catches a chart that draws
 * whole probe sets or thousands of points in one task again (seconds there).
 */
const BOUND_MS = 300;

test('no long main-thread task while the charts redraw during a run', async ({ page }) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.waitForDemo();
  // Probes at steps 0, 20, 40 and 41 (every 20 steps and the last): three redraws of every probe chart after the first.
  await studio.configure({ 'config-steps': 41, 'config-batch-size': 8, 'config-hidden': 32, 'config-layers': 1, 'config-passage-length': 32, 'config-probe-size': 48, 'config-seed': 3 });
  await studio.startTraining();
  // The first drawing of each chart (recharts' code compiled, its frames laid out) is a cost of the page's first
  // run, not of every redraw: the tasks are measured from there.
  for (const id of ['margin-histogram', 'score-histogram', 'margin-scatter']) await expect(studio.byTestId(id)).toHaveAttribute('data-rendered', 'true', { timeout: 240_000 });
  await expect(studio.byTestId('loss-chart').locator('svg.recharts-surface')).toBeVisible({ timeout: 240_000 });
  await page.evaluate(() => {
    const w = window as Window & { longTasks?: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks?.push(e.duration))).observe({ type: 'longtask' });
  });
  const from = Number(await studio.byTestId('margin-histogram').getAttribute('data-step'));
  await studio.waitForState('done');
  // The last probe's charts redraw a few gaps after the run ends (charts/redraw.ts).
  await expect(studio.byTestId('margin-histogram')).toHaveAttribute('data-step', '41');
  await page.waitForTimeout(1000);
  const tasks = await page.evaluate(() => (window as Window & { longTasks?: number[] }).longTasks ?? []);
  console.log(`long tasks from step ${from}: ${tasks.length} (${tasks.map((t) => t.toFixed(0)).join(', ')} ms)`);
  // Two probes or more were redrawn in the window measured, so the check had something to see.
  expect(from).toBeLessThan(40);
  expect(await studio.byTestId('margin-scatter').getAttribute('data-probes')).toBe('4');
  expect(Math.max(0, ...tasks), `long tasks: ${tasks.map((t) => t.toFixed(0)).join(', ')} ms`).toBeLessThan(BOUND_MS);
});
