/**
 * What browser tests may do that a person cannot: opened with `?test-hooks`, the page offers
 * `window.marginStudioTest.gpuFault(fault)`, which makes the training worker's WebGPU device fail as a driver reset
 * or a bad allocation would (e2e/gpu-failure.spec.ts). Without the flag nothing is exposed.
 */
import { trainerClient } from './training';
import type { GpuFault } from '../worker/protocol';

export interface TestHooks {
  /** Resolves whether the worker had a WebGPU device to make fail. */
  gpuFault(fault: GpuFault): Promise<boolean>;
}

export function installTestHooks(search: string): void {
  if (!new URLSearchParams(search).has('test-hooks')) return;
  const hooks: TestHooks = { gpuFault: async (fault) => (await trainerClient().request({ type: 'debug-gpu-fault', fault })).done };
  Object.assign(globalThis, { marginStudioTest: hooks });
}
