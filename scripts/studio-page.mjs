// The page object of the studio: one object per panel, in the order of the method's steps, composed here. The
// browser tests, the headless runner (scripts/train.mjs) and every benchmark drive the page through this one object:
// `studio.data.loadDemo()`, `studio.train.configure({...})`, `studio.train.start()`, `studio.evaluation.run()`, …
//
// Plain ESM with JSDoc types (type-checked by `npm run typecheck`), because Node runs the runner and the benchmarks
// without a TypeScript loader. It uses no `expect` from @playwright/test: waits are `locator.waitFor` and explicit
// polling, so they behave the same inside and outside the test runner. A wait that fails throws an Error saying what
// it waited for and what it last saw.

import { pollUntil } from './page-waits.mjs';
import { Panel } from './page/panel.mjs';
import { DataPanel, DEMO } from './page/data.mjs';
import { ModelsPanel } from './page/models.mjs';
import { ConfigError, TrainPanel } from './page/train.mjs';
import { EvaluatePanel } from './page/evaluate.mjs';
import { TryPanel } from './page/try.mjs';
import { ExportPanel } from './page/export.mjs';
import { RunsPanel } from './page/runs.mjs';
import { TeacherPanel } from './page/teacher.mjs';

export { ConfigError, DEMO, pollUntil };

/** @typedef {import('@playwright/test').Page} Page */
/** @typedef {import('./page/train.mjs').TrainStats} TrainStats */
/** @typedef {import('./page/evaluate.mjs').EvalRow} EvalRow */
/** @typedef {import('./page/runs.mjs').RunRow} RunRow */
/** @typedef {import('./page/data.mjs').DatasetSummary} DatasetSummary */

export class StudioPage extends Panel {
  /** @param {Page} page */
  constructor(page) {
    super(page);
    /** Step 1: the demo, imports, the active dataset and the datasets stored. */
    this.data = new DataPanel(page);
    /** Step 2: pretrained model folders and where the student starts. */
    this.models = new ModelsPanel(page);
    /** Teacher triples made from the active dataset with library cross-encoders (your own data, no teacher file). */
    this.teacher = new TeacherPanel(page);
    /** Step 3: presets, the run's form, its controls and what it shows while it runs. */
    this.train = new TrainPanel(page);
    /** Step 4: the evaluation table. */
    this.evaluation = new EvaluatePanel(page);
    /** Step 5: a typed query ranked by the student. */
    this.try = new TryPanel(page);
    /** Step 6: downloads of the student and the handoff. */
    this.export = new ExportPanel(page);
    /** The finished runs kept for comparing. */
    this.runs = new RunsPanel(page);
  }

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

  /**
   * Waits until a control can be used (present and not disabled).
   * @param {string} testId
   * @param {number} [timeout]
   */
  async waitForEnabled(testId, timeout = 120_000) {
    await this.page.locator(`[data-testid="${testId}"]:enabled`).first().waitFor({ timeout });
  }
}
