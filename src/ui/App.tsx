import { DataPanel } from './panels/DataPanel';
import { TrainPanel } from './panels/TrainPanel';
import { DatasetPanel } from './panels/DatasetPanel';
import { StoragePanel } from './panels/StoragePanel';
import { EvalPanel } from './panels/EvalPanel';
import { RunsPanel } from './panels/RunsPanel';
import { LossChart } from './charts/LossChart';
import { MarginHistogram } from './charts/MarginHistogram';
import { ScoreHistogram } from './charts/ScoreHistogram';
import { MarginScatter } from './charts/MarginScatter';
import { DevEvalChart } from './charts/DevEvalChart';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>Margin Studio</h1>
        <p className="tagline">Distil a neural ranker with Margin-MSE, on your own GPU. Your data never leaves this page.</p>
      </header>
      <main className="layout">
        <div className="column">
          <DataPanel />
          <TrainPanel />
        </div>
        <div className="column charts">
          <LossChart />
          <DevEvalChart />
          <MarginHistogram />
          <ScoreHistogram />
          <MarginScatter />
          <EvalPanel />
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
