// Step 6, Export / Continue on GPUs: the student's weights, its Hugging Face folder, the run report, the handoff.
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
}
