/**
 * The page a person reads at first sight: the method's steps top to bottom, presets that fill the form, folds a
 * keyboard opens, the run's controls beside its loss chart and margin histogram on one 1440×900 screen while it
 * trains, and no serious or critical accessibility violation (axe) before, during and after a run.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';

const VIEWPORT = { width: 1440, height: 900 };

/** Small shapes: WebGPU on SwiftShader (no GPU) runs at a few hundred MFLOP/s. */
const TINY = { 'config-steps': 200, 'config-batch-size': 4, 'config-hidden': 16, 'config-query-length': 8, 'config-passage-length': 16, 'config-probe-size': 16 };

/** The serious and critical violations axe finds on the page, one line each (rule, impact, the elements). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Top and bottom of each element, relative to the viewport. */
async function boxes(page: Page, ids: string[]): Promise<Record<string, { top: number; bottom: number; left: number; right: number }>> {
  const out: Record<string, { top: number; bottom: number; left: number; right: number }> = {};
  for (const id of ids) {
    const box = await page.getByTestId(id).boundingBox();
    if (!box) throw new Error(`${id} is not shown`);
    out[id] = { top: box.y, bottom: box.y + box.height, left: box.x, right: box.x + box.width };
  }
  return out;
}

test('the page reads as the steps, presets fill the form, folds open from the keyboard', async ({ page }) => {
  await page.setViewportSize(VIEWPORT);
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();

  // The steps in reading order: each panel starts no higher than the one before (Data and Start from share a row).
  const tops: number[] = [];
  for (const id of ['step-data', 'step-start', 'step-train', 'step-evaluate', 'step-try', 'step-export']) tops.push((await page.locator(`#${id}`).boundingBox())?.y ?? NaN);
  expect(tops.every((y, i) => i === 0 || y >= (tops[i - 1] as number))).toBe(true);
  expect(tops[2]).toBeGreaterThan(tops[0] as number);

  // A preset fills the form; a fine-tuning preset with an empty model library says what it needs.
  expect(await studio.train.applyPreset('quick-look')).toBe('');
  expect(await studio.train.field('config-steps')).toBe('100');
  expect(await studio.train.applyPreset('fine-tune-dot')).toMatch(/^Needs a pretrained bi-encoder/);
  expect(await studio.train.field('config-learning-rate')).toBe('0.000007');
  expect(await studio.train.applyPreset('tk-scratch')).toBe('');
  expect(await studio.train.field('arch-select')).toBe('tk');

  // Advanced settings are folded, and open from the keyboard: Tab reaches the fold's summary, Enter opens it.
  const advanced = page.getByTestId('advanced-settings');
  await expect(page.getByTestId('config-micro-batch')).toBeHidden();
  const summary = advanced.locator(':scope > summary');
  await summary.evaluate((el) => (el as HTMLElement).blur());
  await page.getByTestId('preset-tk-scratch').focus();
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await summary.evaluate((el) => el === document.activeElement);
  }
  expect(reached).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('config-micro-batch')).toBeVisible();
});

test('while training the controls, loss chart and margin histogram share one 1440×900 screen; axe finds nothing serious before, during or after', async ({ page }) => {
  await page.setViewportSize(VIEWPORT);
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  expect(await seriousViolations(page)).toEqual([]);

  await studio.train.applyPreset('quick-look');
  await studio.train.configure(TINY);
  await studio.train.start();
  await studio.train.waitForStep(2);
  await expect(page.getByTestId('margin-histogram')).toHaveAttribute('data-rendered', 'true');

  // A person who scrolls to Train sees the whole run at once, without scrolling further.
  await studio.train.section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const shown = await boxes(page, ['train-start', 'train-pause', 'train-stop', 'train-state', 'train-step', 'loss-chart', 'margin-histogram']);
  for (const [id, b] of Object.entries(shown)) {
    expect(b.top, `${id} top`).toBeGreaterThanOrEqual(0);
    expect(b.bottom, `${id} bottom`).toBeLessThanOrEqual(VIEWPORT.height);
    expect(b.left, `${id} left`).toBeGreaterThanOrEqual(0);
    expect(b.right, `${id} right`).toBeLessThanOrEqual(VIEWPORT.width);
  }
  expect(await seriousViolations(page)).toEqual([]);
  // Still during the run: the checks above saw a page that was training.
  expect(await studio.train.state()).toBe('running');

  await studio.train.stop();
  expect(await seriousViolations(page)).toEqual([]);
});
