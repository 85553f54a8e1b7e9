import { useState } from 'react';
import { useStore } from 'zustand';
import { LOSSES, type LossName } from '../../config/loss-names';
import { ARCHS, type Arch } from '../../model/students/registry';
import { runGrid, runsStore } from '../../state/runs';
import { configDraft } from '../../state/config-draft';
import { currentDataset, useActiveDatasetId, useEvaluating, useGridRunning, useRunActive } from './hooks';
import { errorMessage } from '../../util/errors';

/** `list` with `item` switched on or off, in the order of `order`. */
function toggle<T>(list: readonly T[], item: T, on: boolean, order: readonly T[]): T[] {
  return order.filter((x) => (x === item ? on : list.includes(x)));
}

/** Several students × losses, one after another on the same data with the same settings. */
export function GridForm() {
  const active = useRunActive();
  const gridRunning = useGridRunning();
  const evaluating = useEvaluating();
  const hasDataset = useActiveDatasetId() !== undefined;
  const [archs, setArchs] = useState<Arch[]>(['dot', 'colbert']);
  const [losses, setLosses] = useState<LossName[]>(['margin-mse']);
  const size = archs.length * losses.length;
  const start = () => {
    const dataset = currentDataset();
    const config = dataset && configDraft.commit();
    if (dataset && config) runGrid(dataset.id, config, archs, losses).catch((err: unknown) => configDraft.setError(errorMessage(err)));
  };
  return (
    <fieldset className="grid-runs" disabled={active || gridRunning}>
      <legend>Grid: each student × each loss, one after another, same data, seed and settings</legend>
      <div className="row wrap">
        {ARCHS.map((a) => (
          <label key={a} className="inline">
            <input type="checkbox" data-testid={`grid-arch-${a}`} checked={archs.includes(a)} onChange={(e) => setArchs(toggle(archs, a, e.target.checked, ARCHS))} /> {a}
          </label>
        ))}
      </div>
      <div className="row wrap">
        {LOSSES.map((l) => (
          <label key={l} className="inline">
            <input type="checkbox" data-testid={`grid-loss-${l}`} checked={losses.includes(l)} onChange={(e) => setLosses(toggle(losses, l, e.target.checked, LOSSES))} /> {l}
          </label>
        ))}
      </div>
      <button data-testid="grid-start" onClick={start} disabled={!hasDataset || size === 0 || evaluating}>
        Run grid ({size} {size === 1 ? 'run' : 'runs'})
      </button>
    </fieldset>
  );
}

export function GridProgress() {
  const grid = useStore(runsStore, (r) => r.grid);
  if (!grid) return null;
  return (
    <p className={`hint grid-${grid.state}`} data-testid="grid-progress" data-state={grid.state} data-index={grid.index} data-total={grid.runs.length}>
      {grid.state === 'running'
        ? `Grid run ${grid.index + 1} of ${grid.runs.length}: ${grid.runs[grid.index]?.arch} · ${grid.runs[grid.index]?.loss}. Stop ends the grid.`
        : grid.state === 'done'
          ? `Grid finished: ${grid.runs.length} runs, compared under Finished runs.`
          : `Grid ended early: ${grid.message}`}
    </p>
  );
}
