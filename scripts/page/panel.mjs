// What every panel object shares: reading the page's stable data-testids, and reaching a control that sits in a
// folded section (<details>) the way a person does, by opening the fold first.
//
// Plain ESM with JSDoc types (type-checked by `npm run typecheck`), because Node runs the headless runner and the
// benchmarks without a TypeScript loader. No `expect` from @playwright/test: waits are `locator.waitFor` and explicit
// polling, so they behave the same inside and outside the test runner.

/** @typedef {import('@playwright/test').Page} Page */
/** @typedef {import('@playwright/test').Locator} Locator */

/** @param {string | null} s */
const num = (s) => (s === null || s.trim() === '' ? null : Number(s));

export class Panel {
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
   * Opens every closed fold (<details>) around the element, as a person clicking its summary would; a control in a
   * closed fold is on the page but cannot be seen, filled or clicked.
   * @param {Locator} el
   */
  async reveal(el) {
    const folds = await el.first().evaluate((node) => {
      /** @type {number[]} */
      const closed = [];
      let depth = 0;
      for (let d = node.parentElement?.closest('details'); d; d = d.parentElement?.closest('details'), depth++) if (!d.open) closed.push(depth);
      return closed;
    });
    // Outermost first: an inner summary is hidden until its outer fold is open.
    for (const depth of folds.reverse()) {
      const fold = el.first().locator(`xpath=ancestor::details[${depth + 1}]`);
      await fold.locator(':scope > summary').click();
    }
    return el;
  }

  /**
   * The control with this test id, its folds opened.
   * @param {string} id
   */
  async control(id) {
    return this.reveal(this.byTestId(id));
  }

  /**
   * Sets form fields by data-testid: selects by value, checkboxes by truth, inputs by text. In the object's order, so
   * `{ 'arch-select': 'colbert', 'config-compress-dim': 32 }` reaches the field shown for colbert only. Fields in a
   * closed fold are reached by opening it.
   * @param {Record<string, string | number | boolean>} fields
   */
  async fill(fields) {
    for (const [testId, value] of Object.entries(fields)) {
      const el = await this.control(testId);
      const kind = await el.evaluate((n) => (n instanceof HTMLSelectElement ? 'select' : n instanceof HTMLInputElement && n.type === 'checkbox' ? 'checkbox' : 'text'));
      if (kind === 'select') await el.selectOption(String(value));
      else if (kind === 'checkbox') await el.setChecked(value === true || value === 'true');
      else await el.fill(String(value));
    }
  }
}
