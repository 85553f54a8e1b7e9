/**
 * Models of real size in the model library (issue 21): a DistilBERT-base-shaped folder (66M parameters) in F32
 * (254 MB) and in F16 imports through the page's folder input, is listed, is still listed after a reload, and is
 * deleted with its storage freed; the page's memory while importing is measured from /proc and bounded. A store
 * that cannot take the model says so in words and keeps nothing. The folders are generated here, not committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';
import { BERT_BASE, DISTILBERT_BASE, parameterCount, writeModelFolder, type FolderShape } from '../src/testing/model-folders';
import { sampleMemory } from './process-memory';

const PARAMETERS = parameterCount(DISTILBERT_BASE);
/** The target of issue 21: importing the 66M folder keeps the page (its renderer, where the worker runs) under 1 GB. */
const RENDERER_LIMIT_MB = 1024;

async function usage(page: Page): Promise<number> {
  return page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
}

/** Usage once it has settled below `atMost` (the browser counts freed IndexedDB files a moment later), polled. */
async function usageDropsTo(page: Page, atMost: number): Promise<number> {
  let now = await usage(page);
  await expect.poll(async () => (now = await usage(page)), { timeout: 60_000, intervals: [500, 1000, 2000] }).toBeLessThanOrEqual(atMost);
  return now;
}

/** How many of the library's entries are the model `name`. */
const entries = async (studio: StudioPage, name: string) => (await studio.models.library()).filter((e) => e.startsWith(`${name} `)).length;

test.describe('the model library at real size', () => {
  test.setTimeout(600_000);
  let dir = '';

  /** Generates the folder, imports it through the page's folder input with the memory sampled, and removes it from disk. */
  async function importMeasured(studio: StudioPage, name: string, shape: FolderShape, dtype: 'F32' | 'F16'): Promise<void> {
    const folder = join(dir, name);
    const fileBytes = writeModelFolder(folder, shape, dtype);
    const started = Date.now();
    const memory = sampleMemory();
    let peaks;
    try {
      await studio.models.importFolder(folder, 'done', 480_000);
    } finally {
      peaks = memory.stop();
      rmSync(folder, { recursive: true, force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${name}: ${parameterCount(shape).toLocaleString('en-US')} parameters, model.safetensors ${(fileBytes / 1e6).toFixed(1)} MB, imported in ${seconds.toFixed(1)} s; ` +
        `peak RSS during the import: renderer (page + worker) ${peaks.rendererMb} MB (${peaks.rendererStartMb} MB when it began), all of this test's Chromium processes together ${peaks.totalMb} MB; ` +
        `per process kind ${JSON.stringify(peaks.byKindMb)} (${peaks.samples} samples)`,
    );
    expect(peaks.rendererMb).toBeLessThan(RENDERER_LIMIT_MB);
    expect((await studio.models.summary())?.params).toBe(parameterCount(shape));
  }

  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'margin-model-size-'));
  });

  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a DistilBERT-base folder, F32 and F16: imported with the page under 1 GB, listed across a reload, deleted with its storage freed', async ({ page }) => {
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    const before = await usage(page);
    const stored = PARAMETERS * 4;

    for (const dtype of ['F32', 'F16'] as const) {
      const name = `distilbert-base-${dtype.toLowerCase()}`;
      await importMeasured(studio, name, DISTILBERT_BASE, dtype);
      expect(await studio.models.summary()).toMatchObject({ type: 'distilbert', layers: 6, hidden: 768, heads: 12, vocab: 30522, params: PARAMETERS });
      await expect.poll(() => entries(studio, name)).toBe(1);
    }
    // Both are stored as float32: the usage grew by about both models' bytes.
    const full = await usage(page);
    console.log(`storage usage: ${(before / 1e6).toFixed(1)} MB before, ${(full / 1e6).toFixed(1)} MB with both models (${((2 * stored) / 1e6).toFixed(1)} MB of float32 weights)`);
    expect(full - before).toBeGreaterThan(0.9 * 2 * stored);

    await studio.reload();
    for (const name of ['distilbert-base-f32', 'distilbert-base-f16']) await expect.poll(() => entries(studio, name)).toBe(1);

    // Read back whole from its chunks: "Use as the student" loads the stored model in the worker, then refuses the
    // demo dataset's hashing tokens (the model reads WordPiece ids); the refusal is only reached after a full read.
    const reading = sampleMemory();
    await studio.models.useAsStudent('distilbert-base-f32');
    await expect.poll(() => studio.train.error(), { timeout: 120_000 }).toContain('token ids, but distilbert-base-f32 reads');
    const read = reading.stop();
    console.log(`loading distilbert-base-f32 back from its chunks: renderer peak ${read.rendererMb} MB (${read.rendererStartMb} MB when it began)`);

    for (const name of ['distilbert-base-f32', 'distilbert-base-f16']) {
      await studio.models.delete(name);
      expect(await entries(studio, name)).toBe(0);
    }
    // Freed: back to where it was, give or take a tenth of one model (the store's own bookkeeping).
    const after = await usageDropsTo(page, before + 0.1 * stored);
    console.log(`storage usage after deleting both: ${(after / 1e6).toFixed(1)} MB`);
  });

  test('a BERT-base folder (110M, 440 MB of F32) imports with the page under 1 GB and deletes with its storage freed', async ({ page }) => {
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    const before = await usage(page);
    await importMeasured(studio, 'bert-base', BERT_BASE, 'F32');
    expect((await studio.models.summary())?.layers).toBe(12);
    expect((await usage(page)) - before).toBeGreaterThan(0.9 * parameterCount(BERT_BASE) * 4);
    await studio.models.delete('bert-base');
    expect(await entries(studio, 'bert-base')).toBe(0);
    await usageDropsTo(page, before + 0.05 * parameterCount(BERT_BASE) * 4);
  });

  test('a store that cannot take the model says so in words and keeps nothing of it', async ({ page, baseURL }) => {
    // A quota of 60 MB, set before the page opens any store: Chromium's IndexedDB keeps the room it found when a
    // store was first opened for a while, so an override set later is not seen by the next writes. The demo fits,
    // a few of the model's chunks go in, then the store refuses. (navigator.storage.estimate() does not see a
    // DevTools override, so this is the refusal while writing; the one before writing is unit-tested.)
    const cdp = await page.context().newCDPSession(page);
    const origin = new URL(baseURL ?? 'http://127.0.0.1').origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 60e6 });
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    const folder = join(dir, 'too-big');
    writeModelFolder(folder, DISTILBERT_BASE, 'F16');
    const before = await usage(page);
    try {
      const message = await studio.models.importFolder(folder, 'error', 300_000);
      console.log(`refused: ${message}`);
      expect(message).toMatch(/^the model "too-big" needs about [\d.,]+ MB of storage and the browser refused it: its storage for this page is full.*What this import had written was removed/);
      // The size it names is the float32 weights' and the vocabulary's, within a percent.
      const mb = Number(/about ([\d.,]+) MB/.exec(message)![1]!.replace(/,/g, ''));
      expect(mb * 1e6).toBeGreaterThanOrEqual(PARAMETERS * 4 * 0.999);
      expect(mb * 1e6).toBeLessThan(PARAMETERS * 4 * 1.01);
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
      rmSync(folder, { recursive: true, force: true });
    }
    expect(await entries(studio, 'too-big')).toBe(0);
    await usageDropsTo(page, before + 5e6);
  });
});
