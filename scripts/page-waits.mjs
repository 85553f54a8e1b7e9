// Waits that work the same inside and outside Playwright's test runner (no `expect`): polling with a message that
// says what was awaited and what was last seen, and a record of every state an element passes through, kept in the
// page so that a state shorter than one poll is not missed. Used by the page object (studio-page.mjs).

/** @typedef {{ state: string | null, at: number }} SeenState one value of data-state, with the page's clock (ms) */
/** @typedef {{ seen: SeenState[], observer: MutationObserver }} StateWatch what watchState keeps in the page */

/**
 * Polls `read` until `done` holds for its value; the value then. `read` may throw to end the wait at once (a run
 * that failed meanwhile).
 * @template T
 * @param {() => Promise<T>} read
 * @param {(value: T) => boolean} done
 * @param {{ timeout?: number, interval?: number, what?: string }} [options]
 * @returns {Promise<T>}
 */
export async function pollUntil(read, done, { timeout = 120_000, interval = 100, what = 'a condition' } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Records, in the page, every value `data-state` of `testId` takes from now on, with the page's clock
 * (performance.now(), ms). `seen` reads what was recorded so far; `stop` ends the recording (until then it observes
 * every change of the page).
 * @param {import('@playwright/test').Page} page
 * @param {string} testId
 * @returns {Promise<{ seen: () => Promise<SeenState[]>, stop: () => Promise<void> }>}
 */
export async function watchState(page, testId) {
  const key = `__studioWatch_${testId}_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ id, k }) => {
      const read = () => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-state') ?? null;
      /** @type {SeenState[]} */
      const seen = [];
      let last = read();
      const observer = new MutationObserver(() => {
        const now = read();
        if (now !== last) seen.push({ state: (last = now), at: performance.now() });
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
      /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window))[k] = { seen, observer };
    },
    { id: testId, k: key },
  );
  return {
    seen: () => page.evaluate((k) => /** @type {StateWatch | undefined} */ (/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window))[k])?.seen ?? [], key),
    stop: () =>
      page
        .evaluate((k) => {
          const w = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window));
          /** @type {StateWatch | undefined} */ (w[k])?.observer.disconnect();
          delete w[k];
        }, key)
        .catch(() => undefined),
  };
}

/**
 * Runs `action` and waits until `testId`'s data-state has gone through `through` and settled in one of `ends`.
 * @param {import('@playwright/test').Page} page
 * @param {string} testId
 * @param {() => Promise<unknown>} action
 * @param {{ through: string, ends: string[], timeout: number, onPoll?: () => Promise<void> }} options
 * @returns {Promise<{ state: string, at: number }>} the state it settled in, and when (page clock, ms)
 */
export async function stateRound(page, testId, action, { through, ends, timeout, onPoll }) {
  const watch = await watchState(page, testId);
  try {
    await action();
    const states = await pollUntil(
      async () => {
        await onPoll?.();
        return watch.seen();
      },
      (s) => s.some((e) => e.state === through) && ends.includes(String(s[s.length - 1]?.state)),
      { timeout, interval: 100, what: `${testId} to go ${through} → ${ends.join('|')}` },
    );
    const end = /** @type {SeenState} */ (states[states.length - 1]);
    return { state: String(end.state), at: end.at };
  } finally {
    await watch.stop();
  }
}
