import { AdvancedConfigForm, ConfigForm, PlannedSize } from '../train/ConfigForm';
import { SoftwareAdapterNote } from '../train/Adapter';
import { MemoryPlan } from '../train/MemoryPlan';
import { ProbeCost } from '../train/ProbeCost';
import { ConfigError, ShareConfig } from '../train/ShareConfig';
import { RunControls } from '../train/RunControls';
import { GridForm, GridProgress } from '../train/GridForm';
import { BackendNote, CheckpointStatus, TrainError, TrainPreparing, TrainProgress } from '../train/RunStatus';
import { ResumeOffers } from '../train/ResumeOffers';
import { RunStats } from '../train/RunStats';
import { Presets } from '../train/Presets';
import { OptimiserSettings } from './OptimiserSettings';
import { LossChart } from '../charts/LossChart';
import { MarginHistogram } from '../charts/MarginHistogram';
import { ScoreHistogram } from '../charts/ScoreHistogram';
import { MarginScatter } from '../charts/MarginScatter';
import { DevEvalChart } from '../charts/DevEvalChart';

/**
 * Step 3, Train: only layout. The run's controls on the left and its two main charts on the right, so that while a
 * run goes the buttons, the loss and the margins fit one screen; the settings a person rarely changes are folded.
 * Each part reads the few store fields it shows, so the numbers that change every 150 ms during a run re-render the
 * stats and progress, not the form.
 */
export function TrainPanel() {
  return (
    <section className="panel step" id="step-train" aria-labelledby="train-title" data-testid="train-panel">
      <h2 id="train-title">
        <span className="step-number">3</span> Train
      </h2>
      <div className="train-layout">
        <div className="train-controls">
          <Presets />
          <ConfigForm />
          <ConfigError />
          <RunControls />
          <TrainError />
          <BackendNote />
          <TrainPreparing />
          <TrainProgress />
          <ResumeOffers />
          <CheckpointStatus />
          <GridProgress />
          <RunStats />
          <SoftwareAdapterNote />
          <PlannedSize />
          <MemoryPlan />
          <ProbeCost />
          <details className="fold" data-testid="advanced-settings">
            <summary>Advanced settings: sizes, lengths, optimiser, probe, device</summary>
            <AdvancedConfigForm />
            <OptimiserSettings />
            <ShareConfig />
          </details>
          <details className="fold" data-testid="grid-settings">
            <summary>Grid: several students × losses in one go</summary>
            <GridForm />
          </details>
        </div>
        <div className="train-charts">
          <LossChart />
          <MarginHistogram />
        </div>
      </div>
      <div className="three-up more-charts">
        <DevEvalChart />
        <ScoreHistogram />
        <MarginScatter />
      </div>
    </section>
  );
}
