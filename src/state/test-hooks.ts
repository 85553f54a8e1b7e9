/**
 * What browser tests may do that a person cannot: opened with `?test-hooks`, the page offers
 * `window.marginStudioTest.loseDevice()`, which destroys the training worker's WebGPU device as a driver reset
 * would (e2e/gpu-failure.spec.ts). Without the flag nothing is exposed.
 */
import { trainerClient } from './training';

export interface TestHooks {
  /** Resolves whether the worker had a WebGPU device to destroy. */
  loseDevice(): Promise<boolean>;
}

export function installTestHooks(search: string): void {
  if (!new URLSearchParams(search).has('test-hooks')) return;
  const hooks: TestHooks = { loseDevice: async () => (await trainerClient().request({ type: 'debug-lose-device' })).lost };
  Object.assign(globalThis, { marginStudioTest: hooks });
}
