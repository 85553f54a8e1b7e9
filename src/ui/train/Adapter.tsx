import { useStore } from 'zustand';
import { adapterStore } from '../../state/adapter';
import type { AdapterKind } from '../../train/adapter';
import { configDraft, SMALL_CONFIG } from '../../state/config-draft';
import { useRunActive } from './hooks';
import { formatBytes } from '../../util/bytes';

/** "google swiftshader": vendor and architecture, else the description. */
function adapterName(kind: AdapterKind): string {
  return [kind.vendor, kind.architecture].filter(Boolean).join(' ') || kind.description || 'an unnamed adapter';
}

/** The WebGPU adapter beside the backend: a GPU, or a software rasteriser that tfjs also calls `webgpu`. */
export function AdapterStat() {
  const a = useStore(adapterStore);
  const kind = a.adapter;
  return (
    <dd
      data-testid="adapter"
      data-state={a.state}
      data-software={kind ? String(kind.software) : ''}
      data-vendor={kind?.vendor ?? ''}
      data-architecture={kind?.architecture ?? ''}
      data-max-storage-binding={a.limits?.maxStorageBufferBindingSize ?? ''}
      data-max-buffer={a.limits?.maxBufferSize ?? ''}
      title={kind?.description || undefined}
    >
      {a.state === 'probing' ? 'looking…' : kind ? `${adapterName(kind)} (${kind.software ? 'software' : 'hardware'})` : `none: ${a.message}`}
      {a.limits ? `; buffers up to ${formatBytes(a.limits.maxBufferSize)}, ${formatBytes(a.limits.maxStorageBufferBindingSize)} per storage binding` : ''}
    </dd>
  );
}

/** On a software adapter: training will be slow, and one click sets a config that finishes in minutes. */
export function SoftwareAdapterNote() {
  const kind = useStore(adapterStore, (a) => (a.adapter?.software ? a.adapter : null));
  const active = useRunActive();
  if (!kind) return null;
  return (
    <div className="notice" data-testid="software-adapter-note">
      WebGPU here runs on <strong>{adapterName(kind)}</strong>, a software adapter ({kind.why}), not a GPU: training will be slow. On SwiftShader a step of the default
      config takes 10-15 s on a 2-core machine, so its 1,000 steps take 3-4 hours.{' '}
      <button data-testid="use-small-config" disabled={active} onClick={() => configDraft.setFields(SMALL_CONFIG)}>
        Use a small config
      </button>{' '}
      ({SMALL_CONFIG.steps} steps, batch {SMALL_CONFIG.batchSize}, hidden {SMALL_CONFIG.hidden}, passages of {SMALL_CONFIG.passageLength} tokens: a few seconds a step
      there, about 5-10 minutes in all).
    </div>
  );
}
