import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { configDraftStore } from '../../state/config-draft';
import { adapterStore } from '../../state/adapter';
import { modelsStore } from '../../state/models';
import { plannedMemory } from '../../state/memory-plan-view';
import { type MemoryPlan as Plan } from '../../train/memory-plan';
import { formatBytes } from '../../util/bytes';
import { useActiveTokenizer } from './hooks';

const PARTS = [
  { key: 'weights', label: 'weights', color: '#4e79a7' },
  { key: 'gradients', label: 'gradients', color: '#f28e2b' },
  { key: 'optimizer', label: 'AdamW moments', color: '#59a14f' },
  { key: 'activations', label: 'activations', color: '#e15759' },
] as const;

/** The run's parts of memory: activations are a step's or the probe set's, whichever is larger. */
function partsOf(plan: Plan): Record<(typeof PARTS)[number]['key'], number> {
  return { weights: plan.weights, gradients: plan.gradients, optimizer: plan.optimizer, activations: Math.max(plan.activations, plan.probe) };
}

/** The planned device memory of the configured run, before Train, against the adapter's limits and a budget. */
export function MemoryPlan() {
  const draft = useStore(configDraftStore, (s) => s.draft);
  const adapter = useStore(adapterStore, useShallow((a) => ({ state: a.state, limits: a.limits })));
  const tokenizer = useActiveTokenizer();
  const model = useStore(modelsStore, (s) => s.models.find((m) => m.id === draft.start));
  const view = useMemo(() => plannedMemory(draft, tokenizer, model, adapter), [draft, tokenizer, model, adapter]);
  if ('why' in view) {
    return (
      <p className="hint" data-testid="memory-plan" data-bytes="" data-largest="" data-limit="" data-fits="" data-micro-batch="">
        Memory plan not known yet: {view.why}.
      </p>
    );
  }
  const { plan, webgpu } = view;
  const parts = partsOf(plan);
  return (
    <div
      className="hint memory-plan"
      data-testid="memory-plan"
      data-bytes={plan.bytes}
      data-largest={plan.largest.bytes}
      data-limit={Number.isFinite(plan.limit) ? plan.limit : ''}
      data-fits={String(plan.fits)}
      data-micro-batch={plan.largestMicroBatch}
    >
      <div className="memory-bar" role="img" aria-label="planned memory by part" style={{ display: 'flex', height: '0.6em', maxWidth: '24em', background: '#eee' }}>
        {PARTS.map((p) => (
          <span key={p.key} title={`${p.label}: ${formatBytes(parts[p.key])}`} style={{ width: `${(100 * parts[p.key]) / Math.max(plan.bytes, plan.budget)}%`, background: p.color }} />
        ))}
      </div>
      Memory plan: <strong>{formatBytes(plan.bytes)}</strong> of the {formatBytes(plan.budget)} assumed for the device (WebGPU does not say how much a GPU has): {PARTS.map((p) => `${p.label} ${formatBytes(parts[p.key])}`).join(', ')}
      {plan.probe > plan.activations ? ' (the probe set’s forward pass, larger than a step’s)' : ''}, at a micro-batch of {plan.microBatch}. Largest buffer: {plan.largest.what}, {formatBytes(plan.largest.bytes)}
      {webgpu ? `, against the adapter's ${formatBytes(plan.limit)} per buffer.` : ' (no per-buffer limit off WebGPU).'}
      {!plan.fits && (
        <p className="error" data-testid="memory-plan-reason">
          This run does not fit: {plan.reason}.
        </p>
      )}
    </div>
  );
}
