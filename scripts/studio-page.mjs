// The page object of the studio: what a person does on the page, through the stable data-testids of the automation
// contract (and the others the page already has). The browser tests, the headless runner (scripts/train.mjs) and
// every benchmark drive the page through this one class.
//
// Plain ESM with JSDoc types (type-checked by `npm run typecheck`), because Node runs the runner and the benchmarks
// without a TypeScript loader. It uses no `expect` from @playwright/test: waits are `locator.waitFor` and explicit
// polling, so they behave the same inside and outside the test runner. A wait that fails throws an Error saying what
// it waited for and what it last saw.

import { pollUntil, stateRound, watchState } from './page-waits.mjs';

export { pollUntil };

/** @typedef {import('@playwright/test').Page} Page */
/** @typedef {import('@playwright/test').Locator} Locator */
/** @typedef {import('@playwright/test').Download} Download */
/** @typedef {'passages' | 'queries' | 'triples' | 'qrels' | 'candidates'} CountKind */
/** @typedef {{ dataset: string } & Record<CountKind, number>} DatasetSummary */
/** @typedef {'idle' | 'loading' | 'running' | 'paused' | 'stopped' | 'done' | 'error'} TrainState */
/** @typedef {{ state: string, step: number, loss: number | null, throughput: number | null, backend: string }} TrainStats */
/** @typedef {{ system: string, mrr10: number, ndcg10: number, recall100: number, recall1000: number, queries: number }} EvalRow */
/** @typedef {{ studentPairs: number, studentSeconds: number, bm25SecondsPerQuery: number, bm25IndexSeconds: number }} EvalTiming */
/** @typedef {{ mean: number, std: number, min: number, max: number, count: number }} HistogramStats */
/**
 * @typedef {object} RunRow one finished run under Finished runs
 * @property {string} id
 * @property {string} arch
 * @property {string} loss
 * @property {number} params
 * @property {number} steps
 * @property {number} lossFirst10 mean loss of the first 10 steps
 * @property {number} lossLast10 mean loss of the last 10 steps
 * @property {number} triplesPerSecond
 * @property {string} grid the grid id, or ''
 */
/** @typedef {{ id: string, status: string, counts: Record<string, number> }} CatalogEntry */

/** The demo dataset a first visit generates. */
export const DEMO = { passages: 2000, queries: 450, triples: 3200, candidates: 5000 };

/** A config the page refused (config-error), with the page's own message. */
export class ConfigError extends Error {}

/** @param {string | null} s */
const num = (s) => (s === null || s.trim() === '' ? null : Number(s));

export class StudioPage {
  /** @param {Page} page */
  constructor(page) {
    /** @readonly */
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /**
   * @param {string} id
   * @param {string} name the attribute, e.g. data-state
   * @returns {Promise<string | null>} null when the element is not on the page
   */
  async attr(id, name) {
    const el = this.byTestId(id);
    return (await el.count()) === 0 ? null : el.first().getAttribute(name);
  }

  /**
   * The element's text as a number (values shown are plain numbers); null when empty or absent.
   * @param {string} id
   */
  async number(id) {
    const el = this.byTestId(id);
    return (await el.count()) === 0 ? null : num(await el.first().textContent());
  }

  /** @param {string} id */
  async text(id) {
    const el = this.byTestId(id);
    return (await el.count()) === 0 ? '' : ((await el.first().textContent()) ?? '');
  }

  /**
   * Waits until a control can be used (present and not disabled).
   * @param {string} testId
   * @param {number} [timeout]
   */
  async waitForEnabled(testId, timeout = 120_000) {
    await this.page.locator(`[data-testid="${testId}"]:enabled`).first().waitFor({ timeout });
  }

  // ---- data ----

  /**
   * Opens the studio (a relative path against the context's baseURL, or a full address) and waits for the page.
   * @param {string} [url]
   */
  async open(url = '/') {
    await this.page.goto(url);
    await this.byTestId('load-demo').waitFor({ state: 'visible', timeout: 60_000 });
  }

  /**
   * Reloads the page, as a person closing and reopening the tab would, and waits for the page. The wait is long:
   * during a training step on a software adapter the old page can take tens of seconds to go.
   * @param {number} [timeout]
   */
  async reload(timeout = 300_000) {
    await this.page.reload({ waitUntil: 'commit', timeout });
    await this.byTestId('load-demo').waitFor({ state: 'visible', timeout });
  }

  /** A first visit generates the demo dataset by itself: waits until it is stored and active. */
  async waitForDemo(timeout = 120_000) {
    await this.page.locator(`[data-testid="dataset-summary"][data-passages="${DEMO.passages}"]`).waitFor({ timeout });
    await this.page.locator('[data-testid="import-status"]:not([data-state="running"])').waitFor({ timeout });
  }

  /** @param {CountKind} kind */
  async summaryCount(kind) {
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
   * Chooses files in one `import-files` selection (as a person does) and waits for the import to end. Throws when it
   * ends in another state than `expected` ('any' accepts every end). `seconds` is the page's own clock from the file
   * input's change event to import-status leaving `running`.
   * @param {string | string[]} paths
   * @param {'done' | 'error' | 'any'} [expected]
   * @param {number} [timeout]
   * @returns {Promise<{ state: string, error: string, seconds: number }>}
   */
  async importFiles(paths, expected = 'done', timeout = 120_000) {
    await this.page.locator('[data-testid="import-status"]:not([data-state="running"])').waitFor({ timeout });
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
    const { state, at } = await stateRound(this.page, 'import-status', () => this.byTestId('import-files').setInputFiles(paths), { through: 'running', ends: ['done', 'error', 'idle'], timeout });
    const started = await this.page.evaluate((k) => Number(/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window))[k]), key);
    const error = state === 'error' ? await this.text('import-error') : '';
    const n = Array.isArray(paths) ? paths.length : 1;
    if (expected !== 'any' && state !== expected) throw new Error(`import of ${n} file${n === 1 ? '' : 's'} ended in ${state}, not ${expected}${error ? `: ${error}` : ''}`);
    return { state, error, seconds: (at - started) / 1000 };
  }

  /**
   * Imports a Hugging Face model folder through `import-model` and waits for that import (not an earlier one) to end.
   * @param {string} folder
   * @param {'done' | 'error'} [expected]
   * @param {number} [timeout]
   * @returns {Promise<string>} the page's message when it refused the folder, else ''
   */
  async importModel(folder, expected = 'done', timeout = 60_000) {
    const { state } = await stateRound(this.page, 'model-status', () => this.byTestId('import-model').setInputFiles(folder), { through: 'running', ends: ['done', 'error'], timeout });
    const error = state === 'error' ? await this.text('model-error') : '';
    if (state !== expected) throw new Error(`model import of ${folder} ended in ${state}, not ${expected}${error ? `: ${error}` : ''}`);
    return error;
  }

  /**
   * Picks the stored model named `name` as the start (the select's option text begins with the name).
   * @param {string} name
   * @returns {Promise<string>} the model's id
   */
  async chooseModel(name) {
    const select = this.byTestId('model-select');
    const value = await select.locator('option', { hasText: new RegExp(`^${name} `) }).last().getAttribute('value');
    if (!value) throw new Error(`no stored model ${name}`);
    await select.selectOption(value);
    return value;
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

  // ---- training ----

  /**
   * Sets form fields by data-testid: selects by value, checkboxes by truth, inputs by text. In the object's order, so
   * `{ 'arch-select': 'colbert', 'config-compress-dim': 32 }` reaches the field shown for colbert only.
   * @param {Record<string, string | number | boolean>} fields
   */
  async configure(fields) {
    for (const [testId, value] of Object.entries(fields)) {
      const el = this.byTestId(testId);
      const kind = await el.evaluate((n) => (n instanceof HTMLSelectElement ? 'select' : n instanceof HTMLInputElement && n.type === 'checkbox' ? 'checkbox' : 'text'));
      if (kind === 'select') await el.selectOption(String(value));
      else if (kind === 'checkbox') await el.setChecked(value === true || value === 'true');
      else await el.fill(String(value));
    }
  }

  /**
   * The students the page offers (the student picker's options), in its order.
   * @returns {Promise<string[]>}
   */
  async students() {
    return this.byTestId('arch-select').locator('option').evaluateAll((options) => options.map((o) => /** @type {HTMLOptionElement} */ (o).value));
  }

  /**
   * Selects the first student whose form shows the field `testId` (a field only some students read, such as
   * colbert's token vector size), and returns its name.
   * @param {string} testId
   */
  async selectStudentShowing(testId) {
    for (const student of await this.students()) {
      await this.byTestId('arch-select').selectOption(student);
      if (await this.byTestId(testId).isVisible()) return student;
    }
    throw new Error(`no student shows the field ${testId}`);
  }

  /**
   * The value of a form field.
   * @param {string} testId
   */
  async field(testId) {
    return this.byTestId(testId).inputValue();
  }

  /**
   * Presses Train and waits until the run has started (train-state left its old value). A config the page refuses
   * throws ConfigError with the page's message.
   */
  async startTraining(timeout = 60_000) {
    const watch = await watchState(this.page, 'train-state');
    try {
      await this.byTestId('train-start').click({ timeout });
      await pollUntil(
        async () => {
          if ((await watch.seen()).length > 0) return true;
          const error = this.byTestId('config-error');
          if (await error.isVisible()) throw new ConfigError((await error.textContent()) ?? 'the page refused the config');
          return false;
        },
        (started) => started,
        { timeout, what: 'training to start' },
      );
    } finally {
      await watch.stop();
    }
  }

  async pause() {
    await this.byTestId('train-pause').click();
    await this.waitForState('paused');
  }

  async resume() {
    await this.byTestId('train-resume').click();
    await this.waitForState('running');
  }

  async stop() {
    await this.byTestId('train-stop').click();
    await this.waitForState('stopped');
  }

  async step() {
    return Number(await this.text('train-step'));
  }

  /** @returns {Promise<string>} */
  async trainState() {
    return (await this.attr('train-state', 'data-state')) ?? '';
  }

  /** @returns {Promise<TrainStats>} what the page shows of the run: state, step, latest loss, triples/s, backend */
  async readStats() {
    return {
      state: await this.trainState(),
      step: await this.step(),
      loss: await this.number('train-loss'),
      throughput: await this.number('throughput'),
      backend: (await this.text('backend')).trim(),
    };
  }

  /** Throws with the page's message when the run has failed. */
  async #throwIfFailed() {
    if ((await this.trainState()) === 'error') throw new Error(`training failed: ${await this.text('train-error')}`);
  }

  /**
   * Waits for the run to be in one of `states`; a run that fails meanwhile ends the wait at once, with its message.
   * @param {TrainState | TrainState[]} states
   * @param {number} [timeout]
   * @returns {Promise<string>} the state reached
   */
  async waitForState(states, timeout = 240_000) {
    const wanted = Array.isArray(states) ? states : [states];
    return pollUntil(
      async () => {
        const state = await this.trainState();
        if (state === 'error' && !wanted.includes('error')) await this.#throwIfFailed();
        return state;
      },
      (state) => wanted.includes(/** @type {TrainState} */ (state)),
      { timeout, what: `train-state ${wanted.join('|')}` },
    );
  }

  /**
   * Waits for a step count; a run that fails meanwhile ends the wait at once, with its message.
   * @param {number} atLeast
   * @param {number} [timeout]
   */
  async waitForStep(atLeast, timeout = 240_000) {
    return pollUntil(
      async () => {
        await this.#throwIfFailed();
        return this.step();
      },
      (step) => step >= atLeast,
      { timeout, what: `step ${atLeast}` },
    );
  }

  /**
   * Waits for the run to end (done or stopped), calling `onProgress` with each change of what the page shows.
   * @param {{ timeout?: number, interval?: number, onProgress?: (stats: TrainStats) => void }} [options]
   * @returns {Promise<TrainStats>} the stats at the end
   */
  async waitForRunEnd({ timeout = 3_600_000, interval = 1000, onProgress } = {}) {
    let last = '';
    return pollUntil(
      async () => {
        await this.#throwIfFailed();
        const stats = await this.readStats();
        const line = JSON.stringify(stats);
        if (line !== last) onProgress?.(stats);
        last = line;
        return stats;
      },
      (stats) => stats.state === 'done' || stats.state === 'stopped',
      { timeout, interval, what: 'the run to end' },
    );
  }

  /** @returns {Promise<{ count: number, step: number }>} tensors alive in the training worker, and at which step */
  async tensorCount() {
    const el = this.byTestId('worker-tensors');
    return { count: Number(await el.textContent()), step: Number(await el.getAttribute('data-step')) };
  }

  /** Per-step losses, read from the loss chart's data table as a person could. */
  async losses() {
    const points = Number(await this.attr('loss-chart', 'data-points'));
    const toggle = this.byTestId('loss-table-toggle');
    const wasOpen = await toggle.evaluate((el) => el.parentElement instanceof HTMLDetailsElement && el.parentElement.open);
    if (!wasOpen) await toggle.click();
    const rows = this.byTestId('loss-table').locator('tbody tr');
    await pollUntil(() => rows.count(), (n) => n === points, { timeout: 30_000, what: `${points} rows in the loss table` });
    const values = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-loss'))));
    if (!wasOpen) await toggle.click();
    return values;
  }

  /**
   * The statistics a histogram panel carries (e.g. score-histogram-teacher, score-histogram-student).
   * @param {string} testId
   * @returns {Promise<HistogramStats>}
   */
  async histogramStats(testId) {
    return this.byTestId(testId).evaluate((el) => {
      const n = (/** @type {string} */ k) => Number(el.getAttribute(`data-${k}`));
      return { mean: n('mean'), std: n('std'), min: n('min'), max: n('max'), count: n('count') };
    });
  }

  /** The last checkpoint's step, bytes and seconds, or null before the first. */
  async checkpointStatus() {
    const el = this.byTestId('checkpoint-status');
    if ((await el.count()) === 0) return null;
    return el.evaluate((e) => ({ step: Number(e.getAttribute('data-step')), bytes: Number(e.getAttribute('data-bytes')), seconds: Number(e.getAttribute('data-seconds')) }));
  }

  /**
   * Checks the grid's students and losses (and unchecks the others), runs the grid and waits for its end, calling
   * `onProgress` with each new progress line. Throws when it ends in another state than done. `allArchs`: the
   * students the page offers, unless given.
   * @param {{ archs: string[], losses: string[], allArchs?: string[], allLosses?: string[], timeout?: number, onProgress?: (line: string) => void }} options
   */
  async runGrid({ archs, losses, allArchs, allLosses = ['margin-mse', 'mse', 'weighted-ranknet', 'ranknet'], timeout = 3_600_000, onProgress }) {
    for (const a of allArchs ?? (await this.students())) await this.byTestId(`grid-arch-${a}`).setChecked(archs.includes(a));
    for (const l of allLosses) await this.byTestId(`grid-loss-${l}`).setChecked(losses.includes(l));
    let last = '';
    const { state } = await stateRound(this.page, 'grid-progress', () => this.byTestId('grid-start').click(), {
      through: 'running',
      ends: ['done', 'stopped', 'error'],
      timeout,
      onPoll: async () => {
        const line = await this.text('grid-progress');
        if (line && line !== last) onProgress?.(line);
        last = line;
      },
    });
    if (state !== 'done') throw new Error(`grid did not finish: ${await this.text('grid-progress')}`);
    return state;
  }

  /** @returns {Promise<RunRow[]>} the finished runs, oldest first */
  async runRows() {
    return this.byTestId('run-row').evaluateAll((trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-run-id') ?? '',
        arch: tr.getAttribute('data-arch') ?? '',
        loss: tr.getAttribute('data-loss') ?? '',
        params: Number(tr.getAttribute('data-params')),
        steps: Number(tr.getAttribute('data-steps')),
        lossFirst10: Number(tr.getAttribute('data-first-loss')),
        lossLast10: Number(tr.getAttribute('data-final-loss')),
        triplesPerSecond: Number(tr.getAttribute('data-triples-per-second')),
        grid: tr.getAttribute('data-grid') ?? '',
      })),
    );
  }

  // ---- evaluation ----

  /**
   * Evaluates the current student on the active dataset's dev queries and returns the evaluation table. Throws with
   * the page's message when the evaluation fails.
   * @param {{ depth?: number, dense?: boolean, timeout?: number }} [options]
   * @returns {Promise<EvalRow[]>}
   */
  async evaluate({ depth, dense, timeout = 3_600_000 } = {}) {
    if (depth !== undefined) await this.configure({ 'eval-depth': depth });
    if (dense !== undefined) await this.configure({ 'eval-dense': dense });
    const { state } = await stateRound(this.page, 'eval-state', () => this.byTestId('eval-run').click(), { through: 'running', ends: ['done', 'error'], timeout });
    if (state !== 'done') throw new Error(`evaluation failed: ${await this.text('eval-error')}`);
    return this.evalRows();
  }

  /** @returns {Promise<EvalRow[]>} one row per evaluated system */
  async evalRows() {
    return this.byTestId('eval-row').evaluateAll((rows) =>
      rows.map((r) => ({
        system: r.getAttribute('data-system') ?? '',
        mrr10: Number(r.getAttribute('data-mrr10')),
        ndcg10: Number(r.getAttribute('data-ndcg10')),
        recall100: Number(r.getAttribute('data-recall100')),
        recall1000: Number(r.getAttribute('data-recall1000')),
        queries: Number(r.getAttribute('data-queries')),
      })),
    );
  }

  /** @returns {Promise<EvalTiming>} how long the last evaluation's student scoring and BM25 took */
  async evalTiming() {
    return this.byTestId('eval-timing').evaluate((t) => ({
      studentPairs: Number(t.getAttribute('data-student-pairs')),
      studentSeconds: Number(t.getAttribute('data-student-seconds')),
      bm25SecondsPerQuery: Number(t.getAttribute('data-bm25-seconds-per-query')),
      bm25IndexSeconds: Number(t.getAttribute('data-bm25-index-seconds')),
    }));
  }

  // ---- export ----

  /**
   * Presses an export button and resolves with the `count` downloads it starts.
   * @param {string} testId e.g. export-safetensors, export-project, export-report
   * @param {number} [count]
   * @param {number} [timeout]
   * @returns {Promise<Download[]>}
   */
  async downloads(testId, count = 1, timeout = 120_000) {
    /** @type {Download[]} */
    const got = [];
    /** @type {(d: Download) => void} */
    let onDownload = () => {};
    const all = /** @type {Promise<void>} */ (
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${testId}: ${got.length} of ${count} downloads after ${timeout} ms`)), timeout);
        onDownload = (d) => {
          got.push(d);
          if (got.length === count) {
            clearTimeout(timer);
            resolve();
          }
        };
        this.page.on('download', onDownload);
      })
    );
    try {
      await this.byTestId(testId).click();
      await all;
    } finally {
      this.page.off('download', onDownload);
    }
    return got;
  }

  /** @returns {Promise<Download>} the student as safetensors */
  async exportSafetensors() {
    return /** @type {Download} */ ((await this.downloads('export-safetensors'))[0]);
  }

  /** @returns {Promise<Download[]>} the student in tfjs's layout: model.json and weights.bin */
  async exportTfjs() {
    return this.downloads('export-tfjs', 2);
  }
}
