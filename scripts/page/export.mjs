// Step 6, Export / Continue on GPUs: the student's weights, its Hugging Face folder, the run report, the handoff.
import { pollUntil, stateRound } from '../page-waits.mjs';
import { Panel } from './panel.mjs';

/** @typedef {import('@playwright/test').Download} Download */

export class ExportPanel extends Panel {
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
      await (await this.control(testId)).click();
      await all;
    } finally {
      this.page.off('download', onDownload);
    }
    return got;
  }

  /** @returns {Promise<Download>} the student as safetensors */
  async safetensors() {
    return /** @type {Download} */ ((await this.downloads('export-safetensors'))[0]);
  }

  /** @returns {Promise<Download[]>} the student in tfjs's layout: model.json and weights.bin */
  async tfjs() {
    return this.downloads('export-tfjs', 2);
  }

  /** @returns {Promise<Download>} the student as a Hugging Face folder in a .zip */
  async huggingFace() {
    return /** @type {Download} */ ((await this.downloads('export-hf'))[0]);
  }

  /** @returns {Promise<Download>} the student as a transformers.js folder (ONNX, tokenizer, README) in a .zip */
  async web() {
    return /** @type {Download} */ ((await this.downloads('export-web'))[0]);
  }

  /**
   * Presses the web export expecting a refusal: resolves with the page's reason, and throws if a download starts.
   * @returns {Promise<string>}
   */
  async webRefusal() {
    /** @type {string[]} */
    const downloads = [];
    /** @param {Download} d */
    const onDownload = (d) => downloads.push(d.suggestedFilename());
    this.page.on('download', onDownload);
    try {
      await (await this.control('export-web')).click();
      await this.byTestId('export-web-error').waitFor();
      await this.page.locator('[data-testid="export-web"]:not([data-state="running"])').waitFor();
    } finally {
      this.page.off('download', onDownload);
    }
    if (downloads.length) throw new Error(`the refused web export downloaded ${downloads.join(', ')}`);
    return this.text('export-web-error');
  }

  /** @returns {Promise<Download>} the run as a project file (.msproject), to continue elsewhere */
  async project() {
    return /** @type {Download} */ ((await this.downloads('export-project'))[0]);
  }

  /**
   * Load weights…: a safetensors file, tfjs's model.json with weights.bin, or a project file.
   * @param {Parameters<import('@playwright/test').Locator['setInputFiles']>[0]} files
   */
  async loadWeights(files) {
    // Enabled once the page knows the active dataset (the weights are checked against its tokenizer): right after a
    // reload it does not yet, and files chosen then would be dropped.
    await this.page.locator('[data-testid="import-weights"]:enabled').waitFor({ timeout: 60_000 });
    await this.byTestId('import-weights').setInputFiles(files);
  }

  /**
   * Continue on GPUs: presses handoff (.zip) and waits for its end.
   * @param {number} [timeout]
   * @returns {Promise<{ download: Download } | { error: string }>} the zip, or why the run cannot be handed off
   */
  async handoff(timeout = 300_000) {
    /** @type {Download | null} */
    let download = null;
    /** @param {Download} d */
    const onDownload = (d) => {
      download = d;
    };
    this.page.on('download', onDownload);
    try {
      const { state } = await stateRound(this.page, 'export-handoff', () => this.byTestId('export-handoff').click(), { through: 'running', ends: ['done', 'error'], timeout });
      if (state === 'error') return { error: await this.text('handoff-error') };
      const got = await pollUntil(async () => download, (d) => d !== null, { timeout: 30_000, what: 'the handoff zip to download' });
      return { download: /** @type {Download} */ (got) };
    } finally {
      this.page.off('download', onDownload);
    }
  }

  /** @returns {Promise<string>} why Load weights… refused the files ('' when it did not) */
  async weightsError() {
    return this.text('weights-error');
  }
}
