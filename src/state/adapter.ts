/**
 * The WebGPU adapter this browser offers, probed once on the main thread at page load so that the page can say
 * whether `webgpu` means a GPU or a software rasteriser before anyone waits hours for a run.
 */
import { createStore } from 'zustand/vanilla';
import { classifyAdapter, type AdapterFacts, type AdapterKind } from '../train/adapter';
import { errorMessage } from '../util/errors';

export interface AdapterState {
  /** `none`: no WebGPU, or no adapter; the training worker then falls back (and says so itself). */
  state: 'probing' | 'ready' | 'none' | 'error';
  adapter: AdapterKind | null;
  /** The adapter's largest buffers (tfjs asks the device for these maxima); null without an adapter. */
  limits: AdapterLimits | null;
  message: string;
}

export interface AdapterLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** The parts of `navigator.gpu` the probe reads; WebGPU's types are not in TypeScript's DOM library. */
export interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}
export interface AdapterLike {
  info?: AdapterFacts;
  isFallbackAdapter?: boolean;
  limits?: Partial<AdapterLimits>;
  /** Chrome before 127; removed since. */
  requestAdapterInfo?: () => Promise<AdapterFacts>;
}

export const adapterStore = createStore<AdapterState>()(() => ({ state: 'probing', adapter: null, limits: null, message: '' }));

/** What one adapter says about itself, from whichever of the two APIs the browser has. */
export async function adapterFacts(adapter: AdapterLike): Promise<AdapterFacts> {
  const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: adapter.isFallbackAdapter === true || info.isFallbackAdapter === true,
  };
}

/** WebGPU's defaults, which every adapter offers at least: 128 MiB per storage binding, 256 MiB per buffer. */
export const DEFAULT_LIMITS: AdapterLimits = { maxStorageBufferBindingSize: 128 * 1024 * 1024, maxBufferSize: 256 * 1024 * 1024 };

/** The two buffer limits an adapter reports (a missing one: WebGPU's default). */
export function adapterLimits(adapter: AdapterLike): AdapterLimits {
  const l = adapter.limits ?? {};
  return {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize ?? DEFAULT_LIMITS.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize ?? DEFAULT_LIMITS.maxBufferSize,
  };
}

/** Asks `gpu` (by default the browser's) for its adapter and classifies it; never throws. */
export async function probeAdapter(gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu): Promise<AdapterState> {
  let result: AdapterState;
  if (!gpu) {
    result = { state: 'none', adapter: null, limits: null, message: 'this browser has no WebGPU' };
  } else {
    try {
      const adapter = await gpu.requestAdapter();
      result = adapter
        ? { state: 'ready', adapter: classifyAdapter(await adapterFacts(adapter)), limits: adapterLimits(adapter), message: '' }
        : { state: 'none', adapter: null, limits: null, message: 'the browser found no WebGPU adapter' };
    } catch (err) {
      result = { state: 'error', adapter: null, limits: null, message: `requesting a WebGPU adapter failed: ${errorMessage(err)}` };
    }
  }
  adapterStore.setState(result, true);
  return result;
}

let started: Promise<AdapterState> | null = null;

/** The page's one probe: later calls (React's StrictMode mounts twice) share the first. */
export function probeAdapterOnce(): Promise<AdapterState> {
  started ??= probeAdapter();
  return started;
}
