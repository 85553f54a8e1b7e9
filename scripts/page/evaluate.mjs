// Step 4, Evaluate: the current student beside BM25, the teacher and the imported runs, on the dev queries.
import { stateRound } from '../page-waits.mjs';
import { Panel } from './panel.mjs';

/** @typedef {{ system: string, mrr10: number, ndcg10: number, recall100: number, recall1000: number, queries: number }} EvalRow */
/** @typedef {{ studentPairs: number, studentSeconds: number, bm25SecondsPerQuery: number, bm25IndexSeconds: number }} EvalTiming */

export class EvaluatePanel extends Panel {
  /**
   * Evaluates the current student on the active dataset's dev queries and returns the evaluation table. Throws with
   * the page's message when the evaluation fails.
   * @param {{ depth?: number, dense?: boolean, timeout?: number }} [options]
   * @returns {Promise<EvalRow[]>}
   */
  async run({ depth, dense, timeout = 3_600_000 } = {}) {
    if (depth !== undefined) await this.fill({ 'eval-depth': depth });
    if (dense !== undefined) await this.fill({ 'eval-dense': dense });
    const { state } = await stateRound(this.page, 'eval-state', () => this.byTestId('eval-run').click(), { through: 'running', ends: ['done', 'error'], timeout });
    if (state !== 'done') throw new Error(`evaluation failed: ${await this.text('eval-error')}`);
    return this.rows();
  }

  /** @returns {Promise<EvalRow[]>} one row per evaluated system */
  async rows() {
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
  async timing() {
    return this.byTestId('eval-timing').evaluate((t) => ({
      studentPairs: Number(t.getAttribute('data-student-pairs')),
      studentSeconds: Number(t.getAttribute('data-student-seconds')),
      bm25SecondsPerQuery: Number(t.getAttribute('data-bm25-seconds-per-query')),
      bm25IndexSeconds: Number(t.getAttribute('data-bm25-index-seconds')),
    }));
  }

  /**
   * Presses Evaluate without waiting for its end (e.g. to cut it off).
   * @param {{ depth?: number, dense?: boolean }} [options]
   */
  async start({ depth, dense } = {}) {
    if (depth !== undefined) await this.fill({ 'eval-depth': depth });
    if (dense !== undefined) await this.fill({ 'eval-dense': dense });
    await this.byTestId('eval-run').click();
  }

  /** @returns {Promise<number>} passages encoded so far by a running dense evaluation (0 when it is not encoding) */
  async encodedSoFar() {
    return this.byTestId('eval-progress')
      .evaluate((el) => (el.textContent?.includes('Encoding the collection') ? Number(el.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) : 0))
      .catch(() => 0);
  }

  /** @returns {Promise<{ mrr10: number, recall1000: number, queries: number, encoded: number, reused: number } | null>} the last dense retrieval's row: passages encoded now and reused from the file */
  async denseRow() {
    const row = this.byTestId('dense-row');
    if ((await row.count()) === 0) return null;
    return row.evaluate((r) => {
      const n = (/** @type {string} */ k) => Number(r.getAttribute(`data-${k}`));
      return { mrr10: n('mrr10'), recall1000: n('recall1000'), queries: n('queries'), encoded: n('encoded'), reused: n('reused') };
    });
  }
}
