/**
 * tfjs's own buffer pool (its BufferManager, over a stand-in device that hands out objects with a size and a
 * destroy()) through steps whose shapes vary, as a run's steps and its probe do: trimmed after each step, it keeps
 * only the sizes still in use; untrimmed, it keeps every size it has seen.
 */
import { describe, expect, it } from 'vitest';
import { BufferManager } from '@tensorflow/tfjs-backend-webgpu/dist/buffer_manager';
import { failedRunMessage, trimPool, type PoolWithAcquire } from './gpu-guard';

const USAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST, as tfjs asks for tensors

function standInDevice() {
  const live = new Set<object>();
  const device = {
    createBuffer({ size, usage }: { size: number; usage: number }) {
      const buffer = { size, usage, destroy: () => live.delete(buffer) };
      live.add(buffer);
      return buffer;
    },
  };
  return { device, live };
}

/** One "step": acquires a buffer of each size (all alive at once, as a step's tensors are), then frees them. */
function step(pool: BufferManager, sizes: number[]): void {
  const held = sizes.map((size) => pool.acquireBuffer(size, USAGE));
  for (const buffer of held) pool.releaseBuffer(buffer);
}

const freeBytes = (pool: BufferManager) => [...(pool as unknown as PoolWithAcquire).freeBuffers.values()].flat().reduce((sum, b) => sum + b.size, 0);

describe('trimPool', () => {
  const stepSizes = (k: number) => [1000 * k, 2000 * k, 4000 * k];

  it('keeps the free buffers of the sizes in use and lets the others go, while an untrimmed pool grows', () => {
    const trimmed = standInDevice();
    const kept = standInDevice();
    const a = new BufferManager(trimmed.device as unknown as GPUDevice);
    const b = new BufferManager(kept.device as unknown as GPUDevice);
    const pa = a as unknown as PoolWithAcquire;
    trimPool(pa, Infinity);
    const frees: number[] = [];
    // Ten steps of one shape, a probe of another every third step, and a shape that changes at step 5 for good.
    for (let s = 1; s <= 10; s++) {
      const shape = stepSizes(s < 5 ? 1 : 2);
      const sizes = s % 3 === 0 ? [...shape, 50_000, 70_000] : shape;
      step(a, sizes);
      step(b, sizes);
      trimPool(pa, Infinity);
      frees.push(a.getNumFreeBuffers());
    }
    // Trimmed: after each step, only the sizes that step asked for are kept (3, or 5 right after a probe).
    expect(Math.max(...frees)).toBe(5);
    expect(a.getNumFreeBuffers()).toBe(3);
    expect(freeBytes(a)).toBe(2000 + 4000 + 8000);
    expect(trimmed.live.size).toBe(3);
    // Its byte count follows: what it holds is what is free (nothing in use between steps).
    expect(a.numBytesAllocated).toBe(freeBytes(a));
    // Untrimmed: every size seen, for good: 1000, 2000, 4000, 8000 and the probe's two.
    expect(b.getNumFreeBuffers()).toBe(6);
    expect(kept.live.size).toBe(6);
  });

  it('lets every free buffer go when the sizes in use hold more than the bound, and the pool keeps working', () => {
    const { device, live } = standInDevice();
    const pool = new BufferManager(device as unknown as GPUDevice);
    const p = pool as unknown as PoolWithAcquire;
    trimPool(p, Infinity);
    step(pool, stepSizes(1));
    expect(trimPool(p, 5000)).toBe(3);
    expect(pool.getNumFreeBuffers()).toBe(0);
    expect(live.size).toBe(0);
    expect(pool.numBytesAllocated).toBe(0);
    // A released buffer is still taken back after a trim (tfjs drops releases when its map is empty).
    step(pool, [1000]);
    expect(pool.getNumFreeBuffers()).toBe(1);
  });
});

describe('failedRunMessage', () => {
  it('names the failure, keeps the checkpoint, and says what to change', () => {
    const text = failedRunMessage('the GPU device was lost (destroyed)');
    expect(text).toMatch(/^the GPU device was lost \(destroyed\)\. The run stopped; its last checkpoint is kept/);
    expect(text).toMatch(/lower the micro-batch/);
  });
});
