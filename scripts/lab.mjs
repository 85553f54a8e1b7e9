// The kernel lab (lab.html, src/lab/main.ts) served and opened in headless Chromium, for the benchmarks that call the
// studio's training code directly (bench:profile, bench:train's fused / stock table).
import { serveInBrowser } from './studio-browser.mjs';

/**
 * @param {import('@playwright/test').Page} page
 * @param {string} url the served address
 */
export async function openLab(page, url) {
  await page.goto(new URL('lab.html', url).href);
  await page.waitForFunction(() => document.body.dataset['ready'] === 'true' && window.marginLab !== undefined, undefined, { timeout: 60_000 });
}

/**
 * Serves the built app, opens lab.html and resolves with the page; `close` stops both.
 * @param {{ port?: number, gpu?: (typeof import('./studio-browser.mjs').GPU_MODES)[number], log?: (line: string) => void }} [options]
 */
export async function launchLab({ port, gpu = 'swiftshader', log = (line) => console.log(line) } = {}) {
  // Timestamp queries (per-kernel GPU time) are an "unsafe" Dawn API until the browser allows it.
  const { context, url, close } = await serveInBrowser({ port, gpu, log, args: ['--enable-dawn-features=allow_unsafe_apis'] });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => log(`[lab page error] ${err.message}`));
    await openLab(page, url);
    return { page, url, close };
  } catch (err) {
    await close();
    throw err;
  }
}
