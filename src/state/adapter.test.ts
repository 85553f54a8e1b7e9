import { describe, expect, it } from 'vitest';
import { adapterStore, probeAdapter, type AdapterLike } from './adapter';

const gpuWith = (adapter: AdapterLike | null) => ({ requestAdapter: () => Promise.resolve(adapter) });

describe('probeAdapter', () => {
  it('reads adapter.info and isFallbackAdapter, and puts the result in the store', async () => {
    const result = await probeAdapter(gpuWith({ info: { vendor: 'google', architecture: 'swiftshader', description: '' }, isFallbackAdapter: false }));
    expect(result).toEqual({
      state: 'ready',
      adapter: { vendor: 'google', architecture: 'swiftshader', description: '', software: true, why: 'SwiftShader renders on the CPU' },
      // No limits reported: WebGPU's defaults, 128 MiB per binding and 256 MiB per buffer.
      limits: { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456 },
      message: '',
    });
    expect(adapterStore.getState()).toEqual(result);
  });

  it('reads the buffer limits of the adapter', async () => {
    const result = await probeAdapter(gpuWith({ info: { vendor: 'nvidia' }, limits: { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 32 } }));
    expect(result.limits).toEqual({ maxStorageBufferBindingSize: 2147483648, maxBufferSize: 4294967296 });
    expect((await probeAdapter(gpuWith(null))).limits).toBeNull();
  });

  it('falls back to requestAdapterInfo() on browsers without adapter.info', async () => {
    const result = await probeAdapter(gpuWith({ requestAdapterInfo: () => Promise.resolve({ vendor: 'nvidia', architecture: 'ampere' }) }));
    expect(result.adapter).toMatchObject({ vendor: 'nvidia', architecture: 'ampere', software: false });
  });

  it('counts isFallbackAdapter on either the adapter or its info', async () => {
    expect((await probeAdapter(gpuWith({ info: { vendor: 'x' }, isFallbackAdapter: true }))).adapter?.software).toBe(true);
    expect((await probeAdapter(gpuWith({ info: { vendor: 'x', isFallbackAdapter: true } }))).adapter?.software).toBe(true);
  });

  it('reports no WebGPU, no adapter, and a failing request, without throwing', async () => {
    expect(await probeAdapter(undefined)).toMatchObject({ state: 'none', adapter: null });
    expect(await probeAdapter(gpuWith(null))).toMatchObject({ state: 'none', message: 'the browser found no WebGPU adapter' });
    const failing = { requestAdapter: () => Promise.reject(new Error('GPU process crashed')) };
    expect(await probeAdapter(failing)).toMatchObject({ state: 'error', message: 'requesting a WebGPU adapter failed: GPU process crashed' });
    expect(adapterStore.getState().state).toBe('error');
  });
});
