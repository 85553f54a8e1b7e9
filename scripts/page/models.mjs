// Step 2, Start from: pretrained model folders, the model library, and where the student starts.
import { stateRound } from '../page-waits.mjs';
import { Panel } from './panel.mjs';

export class ModelsPanel extends Panel {
  /**
   * Imports a Hugging Face model folder through `import-model` and waits for that import (not an earlier one) to end.
   * @param {string} folder
   * @param {'done' | 'error'} [expected]
   * @param {number} [timeout]
   * @returns {Promise<string>} the page's message when it refused the folder, else ''
   */
  async importFolder(folder, expected = 'done', timeout = 60_000) {
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
  async choose(name) {
    const select = this.byTestId('model-select');
    const value = await select.locator('option', { hasText: new RegExp(`^${name} `) }).last().getAttribute('value');
    if (!value) throw new Error(`no stored model ${name}`);
    await select.selectOption(value);
    return value;
  }

  /** Back to random weights. */
  async chooseScratch() {
    await this.byTestId('model-select').selectOption('scratch');
  }

  /**
   * "Use as the student" on the library's model named `name` (no training), from the folded model library.
   * @param {string} name
   */
  async useAsStudent(name) {
    const entry = this.page.locator('[data-testid="model-entry"]', { hasText: new RegExp(`^${name} `) });
    await this.reveal(entry);
    await entry.getByTestId('model-use').click();
  }

  /**
   * Tokenize for this model: a copy of the active dataset with the chosen model's token ids; waits for that import.
   * @param {number} [timeout]
   */
  async tokenizeForModel(timeout = 120_000) {
    const { state } = await stateRound(this.page, 'import-status', () => this.byTestId('model-tokenize').click(), { through: 'running', ends: ['done', 'error'], timeout });
    if (state !== 'done') throw new Error(`tokenizing for the model ended in ${state}: ${await this.text('import-error')}`);
  }

  /**
   * The model just imported or chosen, as the page describes it.
   * @returns {Promise<{ type: string, kind: string, layers: number, hidden: number, heads: number, vocab: number, params: number, pooling: string } | null>}
   */
  async summary() {
    const el = this.byTestId('model-summary');
    if ((await el.count()) === 0) return null;
    return el.evaluate((e) => {
      const n = (/** @type {string} */ k) => Number(e.getAttribute(`data-${k}`));
      return { type: e.getAttribute('data-type') ?? '', kind: e.getAttribute('data-kind') ?? '', layers: n('layers'), hidden: n('hidden'), heads: n('heads'), vocab: n('vocab'), params: n('params'), pooling: e.getAttribute('data-pooling') ?? '' };
    });
  }

  /** @returns {Promise<boolean | null>} whether the active dataset holds the chosen model's token ids; null with no model chosen */
  async tokensMatch() {
    const match = await this.attr('model-tokens', 'data-match');
    return match === null ? null : match === 'true';
  }

  /** @returns {Promise<string[]>} the stored models a run can start from, as the start select lists them */
  async stored() {
    return this.byTestId('model-select')
      .locator('option')
      .evaluateAll((options) => options.filter((o) => /** @type {HTMLOptionElement} */ (o).value !== 'scratch').map((o) => (o.textContent ?? '').trim()));
  }

  /** @returns {Promise<string[]>} the model library's entries, as listed (name first) */
  async library() {
    return this.byTestId('model-entry').evaluateAll((entries) => entries.map((e) => (e.textContent ?? '').trim()));
  }

  /**
   * Deletes the library's model named `name` and waits for its entry to go.
   * @param {string} name
   */
  async delete(name) {
    const entry = this.page.locator('[data-testid="model-entry"]', { hasText: new RegExp(`^${name} `) });
    await this.reveal(entry);
    await entry.getByTestId('model-delete').click();
    await entry.waitFor({ state: 'detached' });
  }
}
