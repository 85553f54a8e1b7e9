import { ExportRow } from '../train/ExportRow';
import { LoadWeights } from '../train/LoadWeights';

/** Step 6: the student leaves the page (weights, a Hugging Face folder, the run report), or goes on to GPUs. */
export function ExportPanel() {
  return (
    <section className="panel step" id="step-export" aria-labelledby="export-title" data-testid="export-panel">
      <h2 id="export-title">
        <span className="step-number">6</span> Export / Continue on GPUs
      </h2>
      <ExportRow />
      <LoadWeights />
    </section>
  );
}
