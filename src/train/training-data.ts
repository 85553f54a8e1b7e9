/**
 * Where a run's triples come from: the dataset's training files in the Origin Private File System, built on first
 * use and read a batch at a time (the training worker, a dedicated worker, has OPFS's synchronous access handles).
 */
import { ensureTrainingFiles } from '../data/rows/dataset-files';
import type { DatasetInfo } from '../data/store/schema';
import type { BuildPhase } from '../data/rows/training-files';
import type { TrainingData } from './batches';
import type { RunConfig } from '../config/run-config';
import { storedData } from './stored-data';

const PHASE_TEXT: Record<BuildPhase, string> = {
  measuring: 'measuring the texts',
  writing: 'writing token rows',
  resolving: 'resolving the teacher triples',
};

/** At most this often a progress line while the training files are built. */
const PROGRESS_MS = 250;

export async function trainingData(info: DatasetInfo, config: RunConfig, onStatus: (text: string) => void): Promise<TrainingData> {
  let last = 0;
  const started = performance.now();
  const files = await ensureTrainingFiles(info, (phase, done, total) => {
    const now = performance.now();
    if (now - last < PROGRESS_MS && done < total) return;
    last = now;
    const seconds = (now - started) / 1000;
    const left = done > 0 ? (seconds * (total - done)) / done : NaN;
    onStatus(`preparing the training files (once per dataset): ${PHASE_TEXT[phase]}, ${Math.floor((100 * done) / Math.max(total, 1))}%${Number.isFinite(left) ? `, about ${Math.ceil(left)} s left` : ''}`);
  });
  try {
    return storedData(files, config.standardizeTeacher);
  } catch (err) {
    files.close();
    throw err;
  }
}
