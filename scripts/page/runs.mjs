// Finished runs: every run kept across page loads, for comparing.
import { Panel } from './panel.mjs';

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

export class RunsPanel extends Panel {
  /** @returns {Promise<RunRow[]>} the finished runs, oldest first */
  async rows() {
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

  /**
   * Ticks the finished runs to compare (their loss curves and margin histograms overlay).
   * @param {string[]} ids run ids, as rows() gives them
   */
  async compare(ids) {
    for (const id of ids) await this.page.locator(`[data-testid="run-row"][data-run-id="${id}"]`).getByTestId('run-compare').check();
  }
}
