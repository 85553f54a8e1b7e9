// Step 5, Try the student: a typed query, and the top passages under the current student.
import { stateRound } from '../page-waits.mjs';
import { Panel } from './panel.mjs';

/** @typedef {{ pid: string, score: number, teacher: number | null, grade: number | null }} TryHit */

export class TryPanel extends Panel {
  /**
   * Types a query, presses Rank and waits for the ranking. Throws with the page's message when it fails.
   * @param {string} query
   * @param {number} [timeout]
   * @returns {Promise<TryHit[]>} the top passages in rank order
   */
  async rank(query, timeout = 600_000) {
    await this.byTestId('try-query').fill(query);
    await this.page.locator('[data-testid="try-run"]:enabled').waitFor({ timeout: 60_000 });
    const { state } = await stateRound(this.page, 'try-run', () => this.byTestId('try-run').click(), { through: 'running', ends: ['done', 'error'], timeout });
    if (state === 'error') throw new Error(`ranking "${query}" failed: ${await this.text('try-error')}`);
    return this.results();
  }

  /** @returns {Promise<TryHit[]>} the results shown, in rank order */
  async results() {
    return this.byTestId('try-result').evaluateAll((items) =>
      items.map((li) => {
        const opt = (/** @type {string} */ k) => (li.getAttribute(k) ? Number(li.getAttribute(k)) : null);
        return { pid: li.getAttribute('data-pid') ?? '', score: Number(li.getAttribute('data-score')), teacher: opt('data-teacher'), grade: opt('data-grade') };
      }),
    );
  }
}
