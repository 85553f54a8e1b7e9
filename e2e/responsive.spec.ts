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
  await studio.data.waitForDemo();
  // Probes at steps 0, 20, 40 and 41 (every 20 steps and the last).
  await studio.train.configure({ 'config-steps': 41, 'config-batch-size': 8, 'config-hidden': 32, 'config-layers': 1, 'config-passage-length': 32, 'config-probe-size': 48, 'config-seed': 3 });
  await studio.train.start();
  // The first drawing of each chart (recharts' code compiled, its frames laid out) is a cost of the page's first
  // run, not of every redraw: the tasks are measured from there.
  for (const id of ['margin-histogram', 'score-histogram', 'margin-scatter']) await expect(studio.byTestId(id)).toHaveAttribute('data-rendered', 'true', { timeout: 240_000 });
  await expect(studio.byTestId('loss-chart').locator('svg.recharts-surface').first()).toBeVisible({ timeout: 240_000 });
  // Tasks are counted until the task that turns the run's state to done: what the page does then (the finished run
  // recorded, the evaluation and export controls enabled) is not a chart's redraw.
  await page.evaluate(() => {
    const w = window as Window & { longTasks?: number[]; doneAt?: number };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => (w.doneAt === undefined || e.startTime + e.duration < w.doneAt) && w.longTasks?.push(e.duration))).observe({ type: 'longtask' });
    const badge = document.querySelector('[data-testid="train-state"]');
    if (!badge) throw new Error('no train-state badge');
    new MutationObserver(() => {
      if (badge.getAttribute('data-state') === 'done') w.doneAt ??= performance.now();
    }).observe(badge, { attributes: true });
  });
  const from = Number(await studio.byTestId('margin-histogram').getAttribute('data-step'));
  await studio.train.waitForState('done');
  const tasks = await page.evaluate(() => (window as Window & { longTasks?: number[] }).longTasks ?? []);
  console.log(`long tasks from step ${from}: ${tasks.length} (${tasks.map((t) => t.toFixed(0)).join(', ')} ms)`);
  // The probes at steps 20 and 40 at least were redrawn in the window measured, so the check had something to see.
  expect(from).toBeLessThan(20);
  expect(await studio.byTestId('margin-scatter').getAttribute('data-probes')).toBe('4');
  expect(Math.max(0, ...tasks), `long tasks: ${tasks.map((t) => t.toFixed(0)).join(', ')} ms`).toBeLessThan(BOUND_MS);
});
