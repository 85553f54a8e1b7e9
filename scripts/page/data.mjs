// Step 1, Data: the demo dataset, importing files, the active dataset's counts, and the datasets stored.
import { pollUntil, stateRound } from '../page-waits.mjs';
import { Panel } from './panel.mjs';

/** @typedef {'passages' | 'queries' | 'triples' | 'qrels' | 'candidates'} CountKind */
/** @typedef {{ dataset: string } & Record<CountKind, number>} DatasetSummary */
/** @typedef {{ id: string, status: string, counts: Record<string, number> }} CatalogEntry */

/** The demo dataset a first visit generates. */
export const DEMO = { passages: 2000, queries: 450, triples: 3200, candidates: 5000 };

export class DataPanel extends Panel {
  /** A first visit generates the demo dataset by itself: waits until it is stored and active. */
  async waitForDemo(timeout = 120_000) {
    await this.page.locator(`[data-testid="dataset-summary"][data-passages="${DEMO.passages}"]`).waitFor({ timeout });
    await this.waitForImportEnd(timeout);
  }

  /** Waits until no import runs. */
  async waitForImportEnd(timeout = 120_000) {
    await this.page.locator('[data-testid="import-status"]:not([data-state="running"])').waitFor({ timeout });
  }

  /** @returns {Promise<string>} the state of the last import: idle, running, done or error */
  async importState() {
    return (await this.attr('import-status', 'data-state')) ?? '';
  }

  /** @returns {Promise<string | null>} the import's error as the page words it, or null when none is shown */
  async importError() {
    return (await this.byTestId('import-error').count()) === 0 ? null : this.text('import-error');
  }

  /** @returns {Promise<string>} the note the last import left (e.g. the demo made way for the person's files), or '' */
  async notice() {
    return this.text('import-notice');
  }

  /** @returns {Promise<string>} why the last selection was not imported, or '' */
  async refusal() {
    return this.text('import-refused');
  }

  /** @param {CountKind} kind */
  async count(kind) {
    return Number(await this.attr('dataset-summary', `data-${kind}`));
  }

  /** @returns {Promise<DatasetSummary>} the active dataset's id and counts */
  async summary() {
    return this.byTestId('dataset-summary').evaluate((el) => {
      const n = (/** @type {string} */ k) => Number(el.getAttribute(`data-${k}`));
      return { dataset: el.getAttribute('data-dataset') ?? '', passages: n('passages'), queries: n('queries'), triples: n('triples'), qrels: n('qrels'), candidates: n('candidates') };
    });
  }

  /** Presses Load demo dataset and waits for a new demo dataset to be active. */
  async loadDemo(timeout = 120_000) {
    await this.page.locator('[data-testid="load-demo"]:enabled').waitFor({ timeout: 60_000 });
    const before = await this.attr('dataset-summary', 'data-dataset');
    const { state } = await stateRound(this.page, 'import-status', () => this.byTestId('load-demo').click(), { through: 'running', ends: ['done', 'error', 'idle'], timeout });
    if (state !== 'done') throw new Error(`loading the demo ended in ${state}: ${await this.text('import-error')}`);
    await pollUntil(() => this.attr('dataset-summary', 'data-dataset'), (id) => id !== before, { timeout: 10_000, what: 'the new demo dataset to be active' });
  }

  /**
   * Sets the import options (folded under Import options): `import-layout`, `import-tokenizer`, `import-append`.
   * @param {{ layout?: string, tokenizer?: string, append?: boolean }} options
   */
  async setImportOptions({ layout, tokenizer, append }) {
    /** @type {Record<string, string | boolean>} */
    const fields = {};
    if (layout !== undefined) fields['import-layout'] = layout;
    if (tokenizer !== undefined) fields['import-tokenizer'] = tokenizer;
    if (append !== undefined) fields['import-append'] = append;
    await this.fill(fields);
  }

  /**
   * Chooses files in one `import-files` selection (as a person does) and waits for the import to end. Throws when it
   * ends in another state than `expected` ('any' accepts every end). `seconds` is the page's own clock from the file
   * input's change event to import-status leaving `running`.
   * @param {string | string[]} paths
   * @param {'done' | 'error' | 'any'} [expected]
   * @param {number} [timeout]
   * @returns {Promise<{ state: string, error: string, seconds: number }>}
   */
  async importFiles(paths, expected = 'done', timeout = 120_000) {
    await this.waitForImportEnd(timeout);
    const key = `__studioImportStart_${Math.random().toString(36).slice(2)}`;
    await this.page.evaluate((k) => {
      const w = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window));
      /** @param {Event} e */
      const onChange = (e) => {
        if (!(e.target instanceof HTMLElement) || e.target.dataset.testid !== 'import-files') return;
        w[k] = performance.now();
        document.removeEventListener('change', onChange, { capture: true });
      };
      document.addEventListener('change', onChange, { capture: true });
    }, key);
    const { state, at } = await stateRound(this.page, 'import-status', () => this.chooseFiles(paths), { through: 'running', ends: ['done', 'error', 'idle'], timeout });
    const started = await this.page.evaluate((k) => Number(/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window))[k]), key);
    const error = state === 'error' ? await this.text('import-error') : '';
    const n = Array.isArray(paths) ? paths.length : 1;
    if (expected !== 'any' && state !== expected) throw new Error(`import of ${n} file${n === 1 ? '' : 's'} ended in ${state}, not ${expected}${error ? `: ${error}` : ''}`);
    return { state, error, seconds: (at - started) / 1000 };
  }

  /**
   * Chooses files in `import-files` without waiting for anything (a selection the page may refuse).
   * @param {string | string[]} paths
   */
  async chooseFiles(paths) {
    await this.byTestId('import-files').setInputFiles(paths);
  }

  /**
   * The per-file reports of the active dataset's import (file-report rows).
   * @returns {Promise<{ file: string, layout: string, lines: number, rejected: number, missing: number, seconds: number }[]>}
   */
  async fileReports() {
    return this.byTestId('file-report').evaluateAll((rows) =>
      rows.map((r) => ({
        file: r.getAttribute('data-file') ?? '',
        layout: r.getAttribute('data-layout') ?? '',
        lines: Number(r.getAttribute('data-lines')),
        rejected: Number(r.getAttribute('data-rejected')),
        missing: Number(r.getAttribute('data-missing')),
        seconds: Number(r.getAttribute('data-seconds')),
      })),
    );
  }

  /** Waits until the page takes a new choice of data (Load demo enabled), e.g. after a reload. */
  async waitForReady(timeout = 60_000) {
    await this.page.locator('[data-testid="load-demo"]:enabled').waitFor({ timeout });
  }

  /** @returns {Promise<number>} lines read so far by the running import (0 when none is shown) */
  async rowsRead() {
    return Number((await this.attr('import-rows', 'data-rows')) ?? 0);
  }

  /**
   * The teacher's score histogram of the active dataset (the dataset view): statistics and the bars drawn.
   * @param {'pos' | 'neg' | 'margin'} which
   * @returns {Promise<{ count: number, min: number, max: number, mean: number, bars: number }>}
   */
  async teacherHistogram(which) {
    const panel = this.byTestId(`teacher-histogram-${which}`);
    const n = async (/** @type {string} */ k) => Number(await panel.getAttribute(`data-${k}`));
    return { count: await n('count'), min: await n('min'), max: await n('max'), mean: await n('mean'), bars: await panel.locator('.recharts-bar-rectangle').count() };
  }

  /** @returns {Promise<string>} the active dataset's sample rows as text (they sit in a fold; their text is read without opening it) */
  async sampleRows() {
    return this.text('sample-rows');
  }

  /**
   * A dataset's bytes as its storage row states them, by part (`data-*-bytes`; absent ones as NaN).
   * @param {string} id
   */
  async storage(id) {
    const row = this.page.locator(`[data-testid="storage-row"][data-dataset="${id}"]`);
    const n = async (/** @type {string} */ name) => Number(await row.getAttribute(`data-${name}`));
    return {
      bytes: await n('bytes'),
      text: await n('text-bytes'),
      token: await n('token-bytes'),
      triple: await n('triple-bytes'),
      qrel: await n('qrel-bytes'),
      candidate: await n('candidate-bytes'),
      training: await n('training-bytes'),
      tokenRow: await n('token-row-bytes'),
      tripleRecord: await n('triple-record-bytes'),
      bm25: await n('bm25-bytes'),
      vector: await n('vector-bytes'),
      otherFile: await n('other-file-bytes'),
    };
  }

  /** @returns {Promise<string>} the storage legend's text (what the coloured parts are) */
  async storageLegend() {
    return this.text('storage-legend');
  }

  /** @returns {Promise<number>} datasets listed under Storage */
  async storedCount() {
    return this.byTestId('storage-row').count();
  }

  /**
   * Deletes a dataset through the Storage panel (Delete, then confirm) and waits for its row to go.
   * @param {string} id
   */
  async deleteDataset(id) {
    const row = this.page.locator(`[data-testid="storage-row"][data-dataset="${id}"]`);
    await row.getByTestId('storage-delete').click();
    await row.getByTestId('storage-delete-confirm').click();
    await row.waitFor({ state: 'detached' });
  }

  /** @returns {Promise<CatalogEntry[]>} the catalog as IndexedDB holds it, read straight from the page (not through the app's code) */
  async catalog() {
    return this.page.evaluate(
      () =>
        /** @type {Promise<CatalogEntry[]>} */ (
          new Promise((resolve, reject) => {
            const open = indexedDB.open('margin-studio');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const db = open.result;
              const req = db.transaction('datasets').objectStore('datasets').getAll();
              req.onsuccess = () => {
                db.close();
                resolve(/** @type {CatalogEntry[]} */ (req.result).map(({ id, status, counts }) => ({ id, status, counts })));
              };
              req.onerror = () => reject(req.error);
            };
          })
        ),
    );
  }
}
