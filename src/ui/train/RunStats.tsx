import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { trainingStore } from '../../state/training';
import { AdapterStat } from './Adapter';
import { formatBytes } from '../../util/bytes';

/** The run's numbers, as plain text for a person and for tests. */
export function RunStats() {
  const s = useStore(
    trainingStore,
    useShallow((t) => ({
      backend: t.backend,
      step: t.step,
      loss: t.loss,
      triplesPerSecond: t.triplesPerSecond,
      parameterCount: t.parameterCount,
      trainTriples: t.trainTriples,
      probeTriples: t.probeTriples,
      unresolvedTriples: t.unresolvedTriples,
      epoch: t.epoch,
      numTensors: t.numTensors,
      numTensorsStep: t.numTensorsStep,
      gpu: t.gpu,
    })),
  );
  return (
    <dl className="stats">
      <dt>Backend</dt>
      <dd data-testid="backend">{s.backend ?? '–'}</dd>
      <dt>Adapter</dt>
      <AdapterStat />
      <dt>Step</dt>
      <dd data-testid="train-step">{s.step}</dd>
      <dt>Loss</dt>
      <dd data-testid="train-loss">{s.loss === null ? '' : s.loss.toPrecision(6)}</dd>
      <dt>Triples/s</dt>
      <dd data-testid="throughput" data-triples-per-second={s.triplesPerSecond}>{s.triplesPerSecond ? s.triplesPerSecond.toFixed(1) : ''}</dd>
      <dt>Parameters</dt>
      <dd data-testid="param-count">{s.parameterCount || ''}</dd>
      <dt>Training triples</dt>
      <dd>
        {s.trainTriples ? `${s.trainTriples} (+${s.probeTriples} held out for the probe)` : '–'}
        {s.unresolvedTriples > 0 ? `; ${s.unresolvedTriples} skipped: ids missing from the dataset` : ''}
      </dd>
      <dt>Epoch</dt>
      <dd>{s.epoch}</dd>
      <dt>Tensors in worker</dt>
      <dd data-testid="worker-tensors" data-step={s.numTensorsStep}>
        {s.numTensors ?? ''}
      </dd>
      <dt>GPU buffers (tfjs)</dt>
      <dd
        data-testid="gpu-memory"
        data-allocated={s.gpu?.allocatedBytes ?? ''}
        data-peak={s.gpu?.peakAllocatedBytes ?? ''}
        data-peak-used={s.gpu?.peakUsedBytes ?? ''}
        data-free-buffers={s.gpu?.freeBuffers ?? ''}
        data-free-bytes={s.gpu?.freeBytes ?? ''}
        data-released={s.gpu?.releasedBuffers ?? ''}
      >
        {s.gpu ? `${formatBytes(s.gpu.allocatedBytes)} held (${formatBytes(s.gpu.usedBytes)} in use, ${s.gpu.freeBuffers} free buffers kept: ${formatBytes(s.gpu.freeBytes)}); at most ${formatBytes(s.gpu.peakUsedBytes)} in use at once, ${formatBytes(s.gpu.peakAllocatedBytes)} held after a step` : '–'}
      </dd>
    </dl>
  );
}
