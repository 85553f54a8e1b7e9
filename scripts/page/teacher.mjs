// Teacher scores for your own data: library cross-encoders score pairs of the active dataset into a new dataset of
// teacher triples; the job's state, its progress, an unfinished job to resume, and the triples as a TSV download.
import { pollUntil } from '../page-waits.mjs';
import { Panel } from './panel.mjs';

/** @typedef {{ state: string, pairs: number, triples: number, dropped: number }} TeacherStatus */

export class TeacherPanel extends Panel {
  /**
   * Chooses the teachers (library models, by name) and sets the job's fields by data-testid.
   * @param {string[]} teachers
   * @param {Record<string, string | number | boolean>} [fields] e.g. `{ 'teacher-per-positive': 4 }`
   */
  async configure(teachers, fields = {}) {
    const select = await this.control('teacher-models');
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: /** @type {HTMLOptionElement} */ (o).value, text: o.textContent ?? '' })));
    const values = teachers.map((name) => {
      const found = options.find((o) => o.text.startsWith(`${name} (`));
      if (!found) throw new Error(`no cross-encoder named ${name} in the teacher list (${options.map((o) => o.text).join('; ')})`);
      return found.value;
    });
    await select.selectOption(values);
    await this.fill(fields);
  }

  /** @returns {Promise<TeacherStatus>} */
  async status() {
    const el = this.byTestId('teacher-status');
    const n = async (/** @type {string} */ k) => Number(await el.getAttribute(`data-${k}`));
    return { state: (await el.getAttribute('data-state')) ?? '', pairs: await n('pairs'), triples: await n('triples'), dropped: await n('dropped') };
  }

  /** @returns {Promise<{ phase: string, done: number, total: number } | null>} the running job's progress */
  async progress() {
    const el = this.byTestId('teacher-progress');
    if ((await el.count()) === 0) return null;
    return { phase: (await el.getAttribute('data-phase')) ?? '', done: Number(await el.getAttribute('data-done')), total: Number(await el.getAttribute('data-total')) };
  }

  /** Presses Make and waits until the job runs. */
  async start() {
    await (await this.control('teacher-make')).click();
    await pollUntil(() => this.status(), (s) => s.state !== 'idle' && s.state !== 'done', { timeout: 30_000, what: 'the teacher job to start' });
  }

  /**
   * Waits for the job to end; throws with the page's message when it failed.
   * @param {number} [timeout]
   * @returns {Promise<TeacherStatus>}
   */
  async waitForEnd(timeout = 600_000) {
    const s = await pollUntil(() => this.status(), (x) => x.state === 'done' || x.state === 'error' || x.state === 'cancelled', { timeout, what: 'the teacher job to end' });
    if (s.state === 'error') throw new Error(`making teacher triples failed: ${await this.text('teacher-error')}`);
    return s;
  }

  /** @returns {Promise<{ scored: number, total: number } | null>} the unfinished job the page offers to resume */
  async unfinished() {
    const el = this.byTestId('teacher-unfinished');
    if ((await el.count()) === 0) return null;
    return { scored: Number(await el.getAttribute('data-scored')), total: Number(await el.getAttribute('data-total')) };
  }

  async resume() {
    await (await this.control('teacher-resume')).click();
  }

  async cancel() {
    await (await this.control('teacher-cancel')).click();
  }

  /** @returns {Promise<string>} the active dataset's triples as the TSV the page downloads */
  async downloadTsv() {
    const [download] = await Promise.all([this.page.waitForEvent('download', { timeout: 60_000 }), (await this.control('teacher-download')).click()]);
    const stream = await download.createReadStream();
    /** @type {Buffer[]} */
    const parts = [];
    for await (const chunk of stream) parts.push(/** @type {Buffer} */ (chunk));
    return Buffer.concat(parts).toString('utf8');
  }
}
