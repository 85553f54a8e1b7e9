import { useEffect } from 'react';
import { DataPanel } from './panels/DataPanel';
import { TrainPanel } from './panels/TrainPanel';
import { DatasetPanel } from './panels/DatasetPanel';
import { StoragePanel } from './panels/StoragePanel';
import { EvalPanel } from './panels/EvalPanel';
import { RunsPanel } from './panels/RunsPanel';
import { ModelPanel } from './panels/ModelPanel';
import { TryPanel } from './panels/TryPanel';
import { LossChart } from './charts/LossChart';
import { MarginHistogram } from './charts/MarginHistogram';
import { ScoreHistogram } from './charts/ScoreHistogram';
import { MarginScatter } from './charts/MarginScatter';
import { DevEvalChart } from './charts/DevEvalChart';
import { probeAdapterOnce } from '../state/adapter';

export function App() {
  // Which adapter WebGPU would use, asked once on the main thread as the page opens (not in the training worker,
  // which starts only with a run).
  useEffect(() => void probeAdapterOnce(), []);
  return (
    <div className="app">
      <header className="app-header">
        <h1>Margin Studio</h1>
        <p className="tagline">Distil a neural ranker with Margin-MSE, on your own GPU. Your data never leaves this page.</p>
      </header>
      <main className="layout">
        <div className="column">
          <DataPanel />
          <ModelPanel />
          <TrainPanel />
        </div>
        <div className="column charts">
          <LossChart />
          <DevEvalChart />
          <MarginHistogram />
          <ScoreHistogram />
          <MarginScatter />
          <EvalPanel />
          <TryPanel />
          <RunsPanel />
        </div>
      </main>
      <div className="below">
        <DatasetPanel />
        <StoragePanel />
      </div>
    </div>
  );
}
