import { useEffect } from 'react';
import { DataPanel } from './panels/DataPanel';
import { TrainPanel } from './panels/TrainPanel';
import { DatasetPanel } from './panels/DatasetPanel';
import { StoragePanel } from './panels/StoragePanel';
import { EvalPanel } from './panels/EvalPanel';
import { RunsPanel } from './panels/RunsPanel';
import { ModelPanel } from './panels/ModelPanel';
import { TryPanel } from './panels/TryPanel';
import { ExportPanel } from './panels/ExportPanel';
import { TeacherPanel } from './panels/TeacherPanel';
import { probeAdapterOnce } from '../state/adapter';

/** The method's steps in the order a person takes them; each links to its panel. */
const STEPS = [
  { href: '#step-data', text: 'Data' },
  { href: '#step-start', text: 'Start from' },
  { href: '#step-train', text: 'Train' },
  { href: '#step-evaluate', text: 'Evaluate' },
  { href: '#step-try', text: 'Try' },
  { href: '#step-export', text: 'Export / Continue on GPUs' },
] as const;

/**
 * The page reads top to bottom as the method: data and the start side by side, then training with its charts, then
 * evaluation beside trying, then export; the runs kept and the datasets stored come last.
 */
export function App() {
  // Which adapter WebGPU would use, asked once on the main thread as the page opens (not in the training worker,
  // which starts only with a run).
  useEffect(() => void probeAdapterOnce(), []);
  return (
    <div className="app">
      <header className="app-header">
        <h1>Margin Studio</h1>
        <p className="tagline">Distil a neural ranker with Margin-MSE, on your own GPU. Your data never leaves this page.</p>
        <nav aria-label="Steps">
          <ol className="steps">
            {STEPS.map((s, i) => (
              <li key={s.href}>
                <a href={s.href}>
                  <span className="step-number">{i + 1}</span> {s.text}
                </a>
              </li>
            ))}
          </ol>
        </nav>
      </header>
      <main className="flow">
        <div className="pair">
          <DataPanel />
          <ModelPanel />
        </div>
        <TeacherPanel />
        <TrainPanel />
        <div className="pair">
          <EvalPanel />
          <TryPanel />
        </div>
        <ExportPanel />
        <RunsPanel />
        <div className="below">
          <DatasetPanel />
          <StoragePanel />
        </div>
      </main>
    </div>
  );
}
