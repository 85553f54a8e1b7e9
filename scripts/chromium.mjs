// Where Chromium is and how it must start for WebGPU on machines without a GPU. Shared by the browser tests, the
// benchmarks and the installer script, so they all drive the same browser the same way.
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** @returns {string | undefined} */
export function findChromium() {
  return process.env.CHROMIUM_PATH || CANDIDATES.find((p) => existsSync(p));
}

/** @returns {string} */
export function chromiumPath() {
  const found = findChromium();
  if (!found) throw new Error('Chromium not found: run `node scripts/ensure-chromium.mjs` (or apt-get install chromium), or set CHROMIUM_PATH');
  return found;
}

/** Root (as in CI) needs --no-sandbox; the rest keeps a test browser from reaching the network. */
export const offlineArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** WebGPU through SwiftShader where there is no GPU. */
export const webgpuArgs = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader', ...offlineArgs];

/** A headless Chromium set up for WebGPU, for scripts outside the test runner (benchmarks). */
export async function launchWebgpuChromium() {
  const { chromium } = await import('@playwright/test');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: webgpuArgs });
}
