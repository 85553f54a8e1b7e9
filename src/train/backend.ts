/**
 * Choosing the tfjs backend, honestly: tf.setBackend resolves false (it does not throw) when WebGPU has no
 * adapter, after which tfjs would quietly run elsewhere. Every fallback is recorded with its reason.
 */
import * as tf from '../model/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendChoice, TfBackend } from '../config/run-config';
import { renewFailedWebGpu, watchDevice } from './gpu-guard';
import { errorMessage } from '../util/errors';

async function whyNoWebGpu(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return 'navigator.gpu is missing (a browser without WebGPU, or a page not served from a secure origin)';
  try {
    if (!(await gpu.requestAdapter())) return 'the browser found no WebGPU adapter';
  } catch (err) {
    return `requesting a WebGPU adapter failed: ${errorMessage(err)}`;
  }
  return null;
}

export async function selectBackend(choice: BackendChoice): Promise<{ backend: TfBackend; note: string }> {
  const order: TfBackend[] = choice === 'auto' ? ['webgpu', 'webgl', 'cpu'] : [choice];
  const notes: string[] = [];
  for (const name of order) {
    if (name === 'webgpu') {
      const why = await whyNoWebGpu();
      if (why) {
        notes.push(`webgpu: ${why}`);
        continue;
      }
    }
    try {
      // A device that failed in an earlier run is not used again: tfjs makes its backend anew.
      if (name === 'webgpu' && renewFailedWebGpu()) notes.push('webgpu: a new GPU device replaces the one that failed');
      const ok = await tf.setBackend(name);
      await tf.ready();
      if (ok && tf.getBackend() === name) {
        if (name === 'webgpu') watchDevice();
        return { backend: name, note: notes.join('; ') };
      }
      notes.push(`${name}: tfjs could not initialise it`);
    } catch (err) {
      notes.push(`${name}: ${errorMessage(err)}`);
    }
  }
  throw new Error(`no tfjs backend could start (${notes.join('; ')})`);
}
