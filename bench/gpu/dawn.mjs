// WebGPU for Node from Dawn (the npm package `webgpu`, installed separately and loaded by path, so nothing here needs
// it to type-check or to build): installs it as navigator.gpu for the bundles the GPU benchmarks run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Makes Dawn's WebGPU the global navigator.gpu and returns a line naming the adapter; exits with status 2 and a
 * message when `webgpuDir` holds no package.
 * @param {string} command the script's usage name, for the message
 * @param {string} webgpuDir the installed npm package `webgpu`
 */
export async function installDawn(command, webgpuDir) {
  const dawn = resolve(webgpuDir, 'index.js');
  if (!existsSync(dawn)) {
    console.error(`${command}: --webgpu ${webgpuDir}: no index.js there; install the npm package webgpu (npm install --no-save webgpu) and point --webgpu at it`);
    process.exit(2);
  }
  const { create, globals } = await import(pathToFileURL(dawn).href);
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]), userAgent: 'node' }, configurable: true });
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter');
  const info = /** @type {{ info?: Record<string, string | undefined> }} */ (/** @type {unknown} */ (adapter)).info ?? {};
  return `adapter: ${info.vendor ?? '?'} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
}
