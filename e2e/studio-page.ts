/** A page object for the studio: what a person does, through the stable data-testids of the contract. */
import { expect, type Locator, type Page } from '@playwright/test';

export class StudioPage {
  constructor(readonly page: Page) {}

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async open(): Promise<void> {
    await this.page.goto('/');
    await expect(this.byTestId('load-demo')).toBeVisible();
  }

  async summaryCount(kind: 'passages' | 'queries' | 'triples' | 'qrels' | 'candidates'): Promise<number> {
    return Number(await this.byTestId('dataset-summary').getAttribute(`data-${kind}`));
  }

  async loadDemo(): Promise<void> {
    await expect(this.byTestId('load-demo')).toBeEnabled({ timeout: 60_000 });
    const before = await this.byTestId('dataset-summary').getAttribute('data-dataset');
    await this.byTestId('load-demo').click();
    await expect(this.byTestId('import-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(this.byTestId('dataset-summary')).not.toHaveAttribute('data-dataset', before ?? '');
  }

  /** Chooses files in one `import-files` selection and waits for the import to end in `state`. */
  async importFiles(paths: string[], state: 'done' | 'error' = 'done'): Promise<void> {
    await expect(this.byTestId('import-status')).not.toHaveAttribute('data-state', 'running', { timeout: 120_000 });
    await this.byTestId('import-files').setInputFiles(paths);
    await expect(this.byTestId('import-status')).toHaveAttribute('data-state', state, { timeout: 120_000 });
  }

  /** The catalog as IndexedDB holds it, read straight from the page (not through the app's code). */
  async catalog(): Promise<{ id: string; status: string; counts: Record<string, number> }[]> {
    return this.page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('margin-studio');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const req = db.transaction('datasets').objectStore('datasets').getAll();
            req.onsuccess = () => {
              db.close();
              resolve((req.result as { id: string; status: string; counts: Record<string, number> }[]).map(({ id, status, counts }) => ({ id, status, counts })));
            };
            req.onerror = () => reject(req.error);
          };
        }),
    );
  }

  async configure(fields: Record<string, string | number>): Promise<void> {
    for (const [testId, value] of Object.entries(fields)) {
      const el = this.byTestId(testId);
      if ((await el.evaluate((n) => n.tagName)) === 'SELECT') await el.selectOption(String(value));
      else await el.fill(String(value));
    }
  }

  async step(): Promise<number> {
    return Number(await this.byTestId('train-step').textContent());
  }

  async waitForState(state: string, timeout = 240_000): Promise<void> {
    await expect(this.byTestId('train-state')).toHaveAttribute('data-state', state, { timeout });
  }

  /** Waits for a step count; a run that fails meanwhile fails the wait at once, with its message. */
  async waitForStep(atLeast: number, timeout = 240_000): Promise<void> {
    await expect
      .poll(
        async () => {
          if ((await this.byTestId('train-state').getAttribute('data-state')) === 'error') {
            throw new Error(`training failed: ${await this.byTestId('train-error').textContent()}`);
          }
          return this.step();
        },
        { timeout, intervals: [100] },
      )
      .toBeGreaterThanOrEqual(atLeast);
  }

  async tensorCount(): Promise<{ count: number; step: number }> {
    const el = this.byTestId('worker-tensors');
    return { count: Number(await el.textContent()), step: Number(await el.getAttribute('data-step')) };
  }

  /** Per-step losses, read from the chart's data table as a person could. */
  async losses(): Promise<number[]> {
    const points = Number(await this.byTestId('loss-chart').getAttribute('data-points'));
    await this.byTestId('loss-table-toggle').click();
    const rows = this.byTestId('loss-table').locator('tbody tr');
    await expect(rows).toHaveCount(points);
    const values = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-loss'))));
    await this.byTestId('loss-table-toggle').click();
    return values;
  }
}
