/**
 * A first visit generates the demo dataset by itself; a person who chooses files meanwhile gets their files, not
 * "an import is already running". Files chosen while other files import are refused with a message.
 */
import { expect, test, type Page } from '@playwright/test';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../src/testing/fixtures';
import { StudioPage } from '../scripts/studio-page.mjs';

const at = (...names: string[]) => names.map((n) => join(FIXTURES, 'msmarco-sample', n));

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/**
 * Chooses `files` in `import-files` the moment the page's first import (the demo) starts, from inside the page, and
 * records every state `import-status` goes through. The demo is generated in well under a second on a fast
 * machine, too short a window to hit reliably from the test process; the input, its change event and everything
 * after it are the page's own.
 */
async function chooseFilesWhenTheDemoStarts(page: Page, files: { name: string; text: string }[]): Promise<() => Promise<string[]>> {
  await page.addInitScript((chosen) => {
    const seen: string[] = [];
    (window as unknown as { importStates: string[] }).importStates = seen;
    let done = false;
    new MutationObserver(() => {
      const status = document.querySelector('[data-testid="import-status"]');
      const state = status?.getAttribute('data-state');
      if (state && seen.at(-1) !== state) seen.push(state);
      if (done || state !== 'running') return;
      done = true;
      const input = document.querySelector<HTMLInputElement>('[data-testid="import-files"]');
      if (!input) throw new Error('no import-files input');
      const transfer = new DataTransfer();
      for (const f of chosen) transfer.items.add(new File([f.text], f.name));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  }, files);
  return () => page.evaluate(() => (window as unknown as { importStates: string[] }).importStates);
}

test('files chosen while the first visit generates the demo are imported, and the demo makes way', async ({ page }) => {
  const errors = watchErrors(page);
  const names = ['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'];
  const importStates = await chooseFilesWhenTheDemoStarts(page, names.map((name, i) => ({ name, text: readFileSync(at(...names)[i] as string, 'utf8') })));
  const studio = new StudioPage(page);
  await studio.open();

  await expect.poll(() => studio.data.importState(), { timeout: 120_000 }).toBe('done');
  expect(await studio.data.summary()).toMatchObject({ passages: 260, queries: 10, triples: 250, qrels: 10 });
  // Never "an import is already running": the import went from running to done, with no error in between.
  expect(await importStates()).toEqual(['idle', 'running', 'done']);
  expect(await studio.data.importError()).toBeNull();
  await expect.poll(() => studio.data.notice()).toContain('The demo dataset was being generated; it was cancelled so that your files import now. Load demo brings it back.');
  // The cancelled demo left nothing behind: the person's dataset is the only one stored.
  await expect.poll(() => studio.data.storedCount()).toBe(1);

  // Load demo brings it back, beside the person's data.
  await studio.data.loadDemo();
  expect(await studio.data.count('passages')).toBe(2000);
  await expect.poll(() => studio.data.storedCount()).toBe(2);
  expect(errors).toEqual([]);
});

test('files chosen while other files import are refused with a message, and the running import finishes', async ({ page }, info) => {
  const studio = new StudioPage(page);
  await studio.open();
  await studio.data.waitForDemo();
  expect(await studio.data.importState()).toBe('done');

  // Large enough to be still importing when the second selection comes.
  const PASSAGES = 100_000;
  const big = info.outputPath('big-collection.tsv');
  const out = createWriteStream(big);
  const words = 'the passage about ranking models distillation teacher student margin score query document'.split(' ');
  for (let i = 0; i < PASSAGES; i++) {
    const text = Array.from({ length: 30 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
    if (!out.write(`${i}\t${text} ${i}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));

  await studio.data.chooseFiles(big);
  await expect.poll(() => studio.data.importState()).toBe('running');
  await studio.data.chooseFiles(at('collection.tsv', 'queries.tsv'));
  await expect.poll(() => studio.data.refusal()).toContain('collection.tsv, queries.tsv were not imported: big-collection.tsv is still being imported');
  expect(await studio.data.importState()).toBe('running');

  await studio.data.waitForImportEnd();
  expect(await studio.data.importState()).toBe('done');
  expect(await studio.data.count('passages')).toBe(PASSAGES);
  expect(await studio.data.importError()).toBeNull();
  // Only the demo and the big file: the refused selection made no dataset.
  expect(await studio.data.storedCount()).toBe(2);
});
