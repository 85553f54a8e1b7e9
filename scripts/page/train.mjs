// Step 3, Train: the run's form (presets, everyday fields, the folded advanced settings and grid), its controls,
// what the page shows of it while it runs, and the finished runs kept under it.
import { pollUntil, stateRound, watchState } from '../page-waits.mjs';
import { Panel } from './panel.mjs';

/** @typedef {'idle' | 'loading' | 'running' | 'paused' | 'stopped' | 'done' | 'error'} TrainState */
/** @typedef {{ state: string, step: number, loss: number | null, throughput: number | null, backend: string }} TrainStats */
/** @typedef {{ mean: number, std: number, min: number, max: number, count: number }} HistogramStats */
/** @typedef {'quick-look' | 'fine-tune-dot' | 'fine-tune-cat' | 'tk-scratch'} Preset */

/** A config the page refused (config-error), with the page's own message. */
export class ConfigError extends Error {}

export class TrainPanel extends Panel {
  /** The Train section: its controls and its two main charts. */
  get section() {
    return this.byTestId('train-panel');
  }

  /**
   * Sets run-config fields by data-testid (see Panel.fill); those under Advanced settings or Grid are reached by
   * opening the fold.
   * @param {Record<string, string | number | boolean>} fields
   */
  async configure(fields) {
    await this.fill(fields);
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
   * colbert's token vector size), and returns its name. The field may sit under Advanced settings: its fold is opened.
   * @param {string} testId
   */
  async selectStudentShowing(testId) {
    for (const student of await this.students()) {
      await this.byTestId('arch-select').selectOption(student);
      if ((await this.byTestId(testId).count()) > 0) {
        await this.control(testId);
        return student;
      }
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

  /** @returns {Promise<{ ok: boolean, text: string } | null>} what the micro-batch means for the batch as typed; null when nothing is said */
  async microBatchNote() {
    const note = this.byTestId('config-micro-batch-note');
    if ((await note.count()) === 0) return null;
    return { ok: (await note.getAttribute('data-ok')) === 'true', text: ((await note.textContent()) ?? '').trim() };
  }

  /**
   * Fills the form with a preset.
   * @param {Preset} preset
   * @returns {Promise<string>} what the preset still needs ('' when nothing)
   */
  async applyPreset(preset) {
    await this.byTestId(`preset-${preset}`).click();
    const note = this.page.locator(`[data-testid="preset-note"][data-preset="${preset}"]`);
    await note.waitFor();
    return (await note.getAttribute('data-needs')) === 'true' ? ((await note.locator('.needs').textContent()) ?? '').trim() : '';
  }

  /**
   * Presses Train and waits until the run has started (train-state left its old value). A config the page refuses
   * throws ConfigError with the page's message.
   */
  async start(timeout = 60_000) {
    await this.#startBy(() => this.byTestId('train-start').click({ timeout }), timeout);
  }

  /**
   * Does `press` and waits until train-state leaves its old value; a config the page refuses throws ConfigError.
   * @param {() => Promise<void>} press
   * @param {number} timeout
   */
  async #startBy(press, timeout) {
    const watch = await watchState(this.page, 'train-state');
    try {
      await press();
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
  async state() {
    return (await this.attr('train-state', 'data-state')) ?? '';
  }

  /** @returns {Promise<TrainStats>} what the page shows of the run: state, step, latest loss, triples/s, backend */
  async stats() {
    return {
      state: await this.state(),
      step: await this.step(),
      loss: await this.number('train-loss'),
      throughput: await this.number('throughput'),
      backend: (await this.text('backend')).trim(),
    };
  }

  /** Throws with the page's message when the run has failed. */
  async #throwIfFailed() {
    if ((await this.state()) === 'error') throw new Error(`training failed: ${await this.text('train-error')}`);
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
        const state = await this.state();
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
  async waitForEnd({ timeout = 3_600_000, interval = 1000, onProgress } = {}) {
    let last = '';
    return pollUntil(
      async () => {
        await this.#throwIfFailed();
        const stats = await this.stats();
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

  /** @returns {Promise<string>} why the run failed, as the page words it ('' when it has not) */
  async error() {
    return this.text('train-error');
  }

  /** @returns {Promise<string>} why the run is not on WebGPU, when it is not ('' otherwise) */
  async backendNote() {
    return this.text('backend-note');
  }

  /**
   * The memory plan of the configured run, before Train (bytes, the largest buffer, the adapter's per-buffer limit,
   * whether it fits, the largest micro-batch that fits) and, when it does not fit, the page's reason.
   * @returns {Promise<{ bytes: number, largest: number, limit: number, fits: boolean | null, microBatch: number, reason: string }>}
   */
  async memoryPlan() {
    const n = async (/** @type {string} */ k) => Number(await this.attr('memory-plan', `data-${k}`));
    const fits = await this.attr('memory-plan', 'data-fits');
    return { bytes: await n('bytes'), largest: await n('largest'), limit: await n('limit'), fits: fits === 'true' ? true : fits === 'false' ? false : null, microBatch: await n('micro-batch'), reason: await this.text('memory-plan-reason') };
  }

  /** @returns {Promise<{ state: string, software: boolean, maxStorageBinding: number, maxBuffer: number }>} the WebGPU adapter beside the run's numbers */
  async adapter() {
    return {
      state: (await this.attr('adapter', 'data-state')) ?? '',
      software: (await this.attr('adapter', 'data-software')) === 'true',
      maxStorageBinding: Number(await this.attr('adapter', 'data-max-storage-binding')),
      maxBuffer: Number(await this.attr('adapter', 'data-max-buffer')),
    };
  }

  /** @returns {Promise<{ peak: number, peakUsed: number, released: number }>} what tfjs held on the GPU: most held after a step, most in use at once, buffers let go */
  async gpuMemory() {
    const n = async (/** @type {string} */ k) => Number(await this.attr('gpu-memory', `data-${k}`));
    return { peak: await n('peak'), peakUsed: await n('peak-used'), released: await n('released') };
  }

  /** @returns {Promise<number | null>} the configured student's parameter count, shown before Train; null while unknown */
  async plannedParameters() {
    const v = await this.attr('planned-size', 'data-params');
    return v === null || v === '' ? null : Number(v);
  }

  /** @returns {Promise<number>} the student's parameter count as the run shows it */
  async parameterCount() {
    return Number(await this.text('param-count'));
  }

  /** @returns {Promise<{ runId: string, step: number }[]>} the runs cut off and offered for resuming, with their checkpoint's step */
  async resumeOffers() {
    return this.byTestId('resume-offer').evaluateAll((offers) => offers.map((o) => ({ runId: o.getAttribute('data-run-id') ?? '', step: Number(o.getAttribute('data-step')) })));
  }

  /**
   * Waits for a run cut off to be offered, presses its Resume and waits until the run goes again.
   * @param {number} [timeout]
   * @returns {Promise<number>} the checkpoint's step it resumed from
   */
  async resumeFromCheckpoint(timeout = 60_000) {
    const offer = this.byTestId('resume-offer');
    await offer.first().waitFor({ timeout });
    const step = Number(await offer.first().getAttribute('data-step'));
    await this.#startBy(() => offer.first().getByTestId('checkpoint-resume').click(), timeout);
    return step;
  }

  /** @returns {Promise<number>} triples per second over the last window, unrounded (throughput's data attribute) */
  async triplesPerSecond() {
    return Number(await this.attr('throughput', 'data-triples-per-second'));
  }

  /**
   * The probe set's cost as the form shows it before Train: training steps' worth of compute per scoring, and
   * seconds per scoring once a step of this shape has been timed (null before).
   * @returns {Promise<{ stepsEach: number, secondsEach: number | null }>}
   */
  async probeCost() {
    const seconds = await this.attr('probe-cost', 'data-seconds-each');
    return { stepsEach: Number(await this.attr('probe-cost', 'data-steps-each')), secondsEach: seconds === null || seconds === '' ? null : Number(seconds) };
  }

  /**
   * Whether a histogram chart has drawn, and how many bars it drew.
   * @param {string} testId e.g. margin-histogram, score-histogram
   * @returns {Promise<{ rendered: boolean, bars: number }>}
   */
  async histogramDrawn(testId) {
    const chart = this.byTestId(testId);
    return { rendered: (await chart.getAttribute('data-rendered')) === 'true', bars: await chart.locator('.recharts-bar-rectangle').count() };
  }

  /** @returns {Promise<{ first: number, last: number }>} the probe set's Margin-MSE at the first and the latest probe (the margin scatter's) */
  async probeMarginMse() {
    return { first: Number(await this.attr('margin-scatter', 'data-first-margin-mse')), last: Number(await this.attr('margin-scatter', 'data-margin-mse')) };
  }

  /** The last checkpoint's step, bytes and seconds, or null before the first. */
  async checkpoint() {
    const el = this.byTestId('checkpoint-status');
    if ((await el.count()) === 0) return null;
    return el.evaluate((e) => ({ step: Number(e.getAttribute('data-step')), bytes: Number(e.getAttribute('data-bytes')), seconds: Number(e.getAttribute('data-seconds')) }));
  }

  /**
   * Checks the grid's students and losses (and unchecks the others) in the folded Grid section. `allArchs`: the
   * students the page offers, unless given.
   * @param {{ archs: string[], losses: string[], allArchs?: string[], allLosses?: string[] }} choice
   */
  async chooseGrid({ archs, losses, allArchs, allLosses = ['margin-mse', 'mse', 'weighted-ranknet', 'ranknet'] }) {
    await this.control('grid-start');
    for (const a of allArchs ?? (await this.students())) await this.byTestId(`grid-arch-${a}`).setChecked(archs.includes(a));
    for (const l of allLosses) await this.byTestId(`grid-loss-${l}`).setChecked(losses.includes(l));
  }

  /**
   * Chooses the grid's students and losses, runs the grid and waits for its end, calling `onProgress` with each new
   * progress line. Throws when it ends in another state than done.
   * @param {{ archs: string[], losses: string[], allArchs?: string[], allLosses?: string[], timeout?: number, onProgress?: (line: string) => void }} options
   */
  async runGrid({ timeout = 3_600_000, onProgress, ...choice }) {
    await this.chooseGrid(choice);
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

  /**
   * Share this config (under Advanced settings): the address that carries the form, or the page's refusal.
   * @returns {Promise<{ url: string } | { error: string }>}
   */
  async share() {
    await (await this.control('config-share')).click();
    const url = this.byTestId('config-share-url');
    const error = this.byTestId('config-error');
    await url.or(error).first().waitFor();
    if (await error.isVisible()) return { error: (await error.textContent()) ?? '' };
    return { url: await url.inputValue() };
  }
}
