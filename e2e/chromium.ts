/** Where Chromium is and how it must start for WebGPU on machines without a GPU. Shared by tests and benchmarks. */
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium not found: run `node scripts/ensure-chromium.mjs` (or apt-get install chromium), or set CHROMIUM_PATH');
  return found;
}

export const webgpuArgs = [
  // WebGPU through SwiftShader where there is no GPU; a real adapter is preferred when one exists.
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  // Nothing may reach the network from a test browser.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
