// The built studio served on 127.0.0.1 and opened in headless Chromium, for the scripts that drive it outside the
// test runner (the headless runner and the benchmarks). The page is then driven through StudioPage.
import { rmSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumPath, offlineArgs, webgpuArgs } from './chromium.mjs';
import { servePreview } from './serve.mjs';
import { StudioPage } from './studio-page.mjs';

/** How Chromium gets its WebGPU adapter. */
export const GPU_MODES = /** @type {const} */ (['swiftshader', 'hardware', 'off']);

/**
 * @param {(typeof GPU_MODES)[number]} gpu
 * @returns {string[]}
 */
export function launchArgs(gpu) {
  // SwiftShader works on every machine; `hardware` leaves the adapter to Chromium (not tried on a GPU machine yet);
  // `off` is Chromium as a person has it, for work that does not train (imports).
  if (gpu === 'swiftshader') return webgpuArgs;
  if (gpu === 'hardware') return ['--enable-unsafe-webgpu', '--enable-features=Vulkan', ...offlineArgs];
  return offlineArgs;
}

/**
 * @typedef {object} LaunchOptions
 * @property {number} [port] serve on this port (refused when taken); a free one from 5180 up when not given
 * @property {string} [profile] a persistent browser profile in this folder, emptied first (IndexedDB then survives
 *   reloads and is written to disk, as in a person's browser); a fresh in-memory context when not given
 * @property {(typeof GPU_MODES)[number]} [gpu] default 'swiftshader'
 * @property {string} [hash] appended to the address, e.g. `#config=…`
 * @property {boolean} [waitForDemo] wait for the demo dataset a first visit generates (default true)
 * @property {(line: string) => void} [log] where the address served and a port fallback are told (default: stdout)
 */

/**
 * @typedef {object} Studio
 * @property {StudioPage} studio
 * @property {import('@playwright/test').Page} page
 * @property {import('@playwright/test').BrowserContext} context
 * @property {string} url the served address
 * @property {number} startedAt Date.now() when the server was asked for
 * @property {() => Promise<void>} close closes the browser and stops the server
 */

/**
 * Serves the built app and starts headless Chromium on it; `close` stops both (and empties `profile`).
 * @param {{ port?: number, profile?: string, gpu?: (typeof GPU_MODES)[number], args?: string[], log?: (line: string) => void }} options
 * @returns {Promise<{ context: import('@playwright/test').BrowserContext, url: string, close: () => Promise<void> }>}
 */
export async function serveInBrowser({ port, profile, gpu = 'swiftshader', args = [], log = (line) => console.log(line) }) {
  const server = await servePreview({ ...(port === undefined ? {} : { port }), log });
  log(`serving the studio at ${server.url}`);
  /** @type {import('@playwright/test').BrowserContext} */
  let context;
  /** @type {() => Promise<void>} */
  let closeBrowser;
  try {
    const options = { executablePath: chromiumPath(), headless: true, args: [...launchArgs(gpu), ...args] };
    if (profile) {
      rmSync(profile, { recursive: true, force: true });
      context = await chromium.launchPersistentContext(profile, { ...options, acceptDownloads: true });
      closeBrowser = () => context.close();
    } else {
      const browser = await chromium.launch(options);
      context = await browser.newContext({ acceptDownloads: true });
      closeBrowser = () => browser.close();
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  const close = async () => {
    await closeBrowser().catch(() => undefined);
    await server.close().catch(() => undefined);
    if (profile) rmSync(profile, { recursive: true, force: true });
  };
  return { context, url: server.url, close };
}

/**
 * Serves the built studio, opens it in headless Chromium and (by default) waits for the demo dataset.
 * @param {LaunchOptions} [options]
 * @returns {Promise<Studio>}
 */
export async function launchStudio({ port, profile, gpu = 'swiftshader', hash = '', waitForDemo = true, log = (line) => console.log(line) } = {}) {
  const startedAt = Date.now();
  const { context, url, close } = await serveInBrowser({ port, profile, gpu, log });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const studio = new StudioPage(page);
    await studio.open(`${url}${hash}`);
    if (waitForDemo) await studio.data.waitForDemo();
    return { studio, page, context, url, startedAt, close };
  } catch (err) {
    await close();
    throw err;
  }
}
