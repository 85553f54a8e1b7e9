/**
 * Keeping a WebGPU run from hanging in silence, and its memory near its plan.
 *
 * WebGPU reports a lost device through `device.lost` and errors nobody asked for (an allocation that failed, a
 * validation error) through `uncapturederror`; tfjs listens to neither, and a read-back (`mapAsync` in
 * `getBufferData`) on a device that failed may never settle. Here every tfjs read-back races the device's failure,
 * the run checks for one after each step, and the message names what failed and what to change.
 *
 * tfjs's buffer pool (buffer_manager.js) keeps every freed buffer, by size, for reuse and never lets one go: a run
 * whose shapes vary (the probe set, evaluation, micro-batches) holds every size it has seen. `trimBufferPool`
 * destroys the free ones once they pass a bound.
 */
import * as tf from '../model/tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { isWebGpu } from '../model/kernels';
import { budgetOnly, DEFAULT_DEVICE_BUDGET, type DeviceLimits } from './memory-plan';

/** What failed on the device, in words; null while nothing has. */
interface DeviceHealth {
  failure: string | null;
  lost: boolean;
  failed: Promise<never>;
  fail(message: string, lost: boolean): void;
}

const health = new WeakMap<object, DeviceHealth>();

/** How long a failed read-back waits for the device's `lost` promise to give the cause. */
const LOST_GRACE_MS = 2000;

function webGpuBackend(): WebGPUBackend | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const b = tf.backend();
  return isWebGpu(b) ? b : null;
}

function newHealth(): DeviceHealth {
  let reject: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, r) => (reject = r));
  // Nobody may be waiting when it fails; the rejection is still read by the next race.
  failed.catch(() => undefined);
  const h: DeviceHealth = {
    failure: null,
    lost: false,
    failed,
    fail(message, lost) {
      if (h.failure !== null) return;
      h.failure = message;
      h.lost = lost;
      reject(new Error(message));
    },
  };
  return h;
}

/**
 * Listens to the current WebGPU device (once per device) and makes tfjs's read-backs fail with the device instead
 * of waiting forever. Does nothing on other backends.
 */
export function watchDevice(): void {
  const b = webGpuBackend();
  if (!b || health.has(b.device)) return;
  const h = newHealth();
  health.set(b.device, h);
  void b.device.lost.then((info) => h.fail(`the GPU device was lost (${info.reason || 'no reason given'}${info.message ? `: ${info.message}` : ''})`, true));
  b.device.addEventListener('uncapturederror', (ev) => {
    const error = (ev as GPUUncapturedErrorEvent).error;
    const kind = error.constructor.name === 'GPUOutOfMemoryError' ? 'the GPU ran out of memory' : `a WebGPU error nobody caught (${error.constructor.name})`;
    h.fail(`${kind}: ${error.message}`, false);
  });
  // Every tfjs read-back (data(), the profiler's timings) goes through getBufferData; it now rejects with the failure.
  // Sizes are noted from the start, so that the first trim knows which ones the steps use.
  trackPool(pool(b) as PoolWithAcquire);
  const read = b.getBufferData.bind(b);
  b.getBufferData = (buffer: GPUBuffer) =>
    Promise.race([read(buffer), h.failed]).catch(async (err: unknown) => {
      // A destroyed or lost device aborts pending read-backs ("unmapped before mapping was resolved") before its
      // `lost` promise settles: give it a moment to say why, so that the message names the cause.
      await Promise.race([h.failed, new Promise((resolve) => setTimeout(resolve, LOST_GRACE_MS))]).catch(() => undefined);
      throw h.failure ? new Error(h.failure) : err;
    });
}

/** Why the current device cannot be trusted any more, or null. */
export function gpuFailure(): string | null {
  const b = webGpuBackend();
  return b ? (health.get(b.device)?.failure ?? null) : null;
}

/** What to tell a person whose run stopped on a failed device. */
export function failedRunMessage(failure: string): string {
  return `${failure}. The run stopped; its last checkpoint is kept and offered for resuming, on a fresh GPU device. If it fails again, lower the micro-batch, the batch or the lengths (the memory plan says what fits), or close other tabs using the GPU.`;
}

/** Throws the failure (with what to change) when the device has failed. */
export function throwIfGpuFailed(): void {
  const failure = gpuFailure();
  if (failure) throw new Error(failedRunMessage(failure));
}

/**
 * After a failure, tfjs keeps its WebGPU backend on the dead device; a new run needs a new one. tfjs can make it
 * again from the factory it registered: removeBackend disposes the old backend (and forgets the factory), so the
 * factory is taken first and registered again. Tensors of the old backend are lost: the student is rebuilt.
 */
export function renewFailedWebGpu(): boolean {
  const b = webGpuBackend() ?? (tf.engine().registry.webgpu as WebGPUBackend | undefined);
  if (!b || !isWebGpu(b) || !health.get(b.device)?.failure) return false;
  const factory = tf.findBackendFactory('webgpu');
  if (!factory) return false;
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', factory, 3);
  return true;
}

/** The device's buffer limits (the adapter's maxima: tfjs asks for them), or none off WebGPU. */
export function deviceLimits(budget = DEFAULT_DEVICE_BUDGET): DeviceLimits {
  const b = webGpuBackend();
  if (!b) return budgetOnly(budget);
  return { maxStorageBufferBindingSize: b.device.limits.maxStorageBufferBindingSize, maxBufferSize: b.device.limits.maxBufferSize, budget };
}

/** tfjs's WebGPU buffers: in use, kept free for reuse, and all it holds. */
export interface GpuMemory {
  usedBytes: number;
  /** The most ever in use at once on this device (buffers tfjs handed out and had not taken back). */
  peakUsedBytes: number;
  freeBuffers: number;
  freeBytes: number;
  allocatedBytes: number;
}

/** tfjs's GPU buffers during a run, with the most it held after a step and the free buffers let go so far. */
export type RunGpuMemory = GpuMemory & { peakAllocatedBytes: number; releasedBuffers: number };

interface PoolInternals {
  freeBuffers: Map<string, GPUBuffer[]>;
  numFreeBuffers: number;
  numBytesUsed: number;
  numBytesAllocated: number;
}

function pool(b: WebGPUBackend): PoolInternals {
  return b.bufferManager as unknown as PoolInternals;
}

export function gpuMemory(): GpuMemory | null {
  const b = webGpuBackend();
  if (!b) return null;
  const p = pool(b);
  let freeBytes = 0;
  for (const list of p.freeBuffers.values()) for (const buffer of list) freeBytes += buffer.size;
  return { usedBytes: p.numBytesUsed, peakUsedBytes: peakUsed.get(p) ?? p.numBytesUsed, freeBuffers: p.numFreeBuffers, freeBytes, allocatedBytes: p.numBytesAllocated };
}

/** Sizes (tfjs's pool keys) acquired since the last trim, per pool. */
const acquiredSince = new WeakMap<object, Set<string>>();
/** The most bytes in use at once, per pool. */
const peakUsed = new WeakMap<object, number>();

/** tfjs's BufferManager, as far as the trimming reads and changes it. */
export type PoolWithAcquire = PoolInternals & { acquireBuffer(size: number, usage: number, ...rest: unknown[]): GPUBuffer };

/** Starts noting which sizes `p` hands out (once per pool); returns the set the next trim reads and clears. */
export function trackPool(p: PoolWithAcquire): Set<string> {
  let keys = acquiredSince.get(p);
  if (keys) return keys;
  const seen = new Set<string>();
  keys = seen;
  acquiredSince.set(p, seen);
  const acquire = p.acquireBuffer.bind(p);
  p.acquireBuffer = (size, usage, ...rest) => {
    // The pool's own key (buffer_manager.js getBufferKey).
    seen.add(`${size}_${usage}`);
    const buffer = acquire(size, usage, ...rest);
    peakUsed.set(p, Math.max(peakUsed.get(p) ?? 0, p.numBytesUsed));
    return buffer;
  };
  return seen;
}

/**
 * Destroys tfjs's free buffers of sizes not asked for since the last trim (the probe's, an evaluation's, a shape no
 * longer used), and all free buffers when the rest still hold more than `maxFreeBytes`; returns how many went. The
 * map's keys stay (with empty lists): tfjs's releaseBuffer drops a buffer unseen when the map is empty. A destroyed
 * buffer that submitted work still reads is freed by WebGPU once that work is done.
 */
export function trimBufferPool(maxFreeBytes: number): number {
  const b = webGpuBackend();
  return b ? trimPool(pool(b) as PoolWithAcquire, maxFreeBytes) : 0;
}

/** trimBufferPool on one pool (tests give it tfjs's BufferManager over a stand-in device). */
export function trimPool(p: PoolWithAcquire, maxFreeBytes: number): number {
  const recent = trackPool(p);
  let released = 0;
  const release = (key: string, list: GPUBuffer[]) => {
    for (const buffer of list) {
      p.numBytesAllocated -= buffer.size;
      buffer.destroy();
      released++;
    }
    p.freeBuffers.set(key, []);
  };
  let kept = 0;
  for (const [key, list] of p.freeBuffers) {
    if (!recent.has(key)) release(key, list);
    else for (const buffer of list) kept += buffer.size;
  }
  if (kept > maxFreeBytes) for (const [key, list] of p.freeBuffers) release(key, list);
  recent.clear();
  p.numFreeBuffers -= released;
  return released;
}

/** For tests: destroys the device as a driver reset would, or makes an invalid buffer that nobody catches. */
export function gpuFaultForTest(fault: 'lose-device' | 'validation-error'): boolean {
  const b = webGpuBackend();
  if (!b) return false;
  if (fault === 'lose-device') b.device.destroy();
  // A buffer without any usage is invalid: a GPUValidationError, raised as `uncapturederror`.
  else b.device.createBuffer({ size: 4, usage: 0 });
  return true;
}

/** Around the run's first GPU work: allocations that fail there come back as an error, not only as an event. */
export function openOutOfMemoryScope(): (() => Promise<string | null>) | null {
  const b = webGpuBackend();
  if (!b) return null;
  const device = b.device;
  device.pushErrorScope('out-of-memory');
  return async () => {
    const error = await Promise.race([device.popErrorScope(), health.get(device)?.failed ?? new Promise<never>(() => undefined)]);
    return error ? `the GPU ran out of memory in the first step (${error.message})` : null;
  };
}
