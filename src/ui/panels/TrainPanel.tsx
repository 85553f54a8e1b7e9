import { ConfigForm, PlannedSize } from '../train/ConfigForm';
import { SoftwareAdapterNote } from '../train/Adapter';
import { MemoryPlan } from '../train/MemoryPlan';
import { ProbeCost } from '../train/ProbeCost';
import { ConfigError, ShareConfig } from '../train/ShareConfig';
import { RunControls } from '../train/RunControls';
import { GridForm, GridProgress } from '../train/GridForm';
import { BackendNote, CheckpointStatus, TrainError, TrainPreparing, TrainProgress } from '../train/RunStatus';
import { ResumeOffers } from '../train/ResumeOffers';
import { ExportRow } from '../train/ExportRow';
import { LoadWeights } from '../train/LoadWeights';
import { RunStats } from '../train/RunStats';

/**
 * The Train panel: only layout. Each part reads the few store fields it shows, so the numbers that change every
 * 150 ms during a run re-render the stats and progress, not the form.
 */
export function TrainPanel() {
  return (
    <section className="panel" aria-labelledby="train-title">
      <h2 id="train-title">Train</h2>
      <ConfigForm />
      <PlannedSize />
      <MemoryPlan />
      <ProbeCost />
      <SoftwareAdapterNote />
      <ShareConfig />
      <ConfigError />
      <RunControls />
      <GridForm />
      <GridProgress />
      <TrainError />
      <BackendNote />
      <TrainPreparing />
      <TrainProgress />
      <ResumeOffers />
      <CheckpointStatus />
      <ExportRow />
      <LoadWeights />
      <RunStats />
    </section>
  );
}
