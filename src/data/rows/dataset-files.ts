/**
 * A dataset's training files, built on first use: the first run on a dataset (or on a new version of it, after
 * files were added) writes them from the stored chunks with progress; later runs open them at once.
 */
import { listDatasets } from '../store/catalog';
import { forEachChunk } from '../store/dataset-db';
import type { DatasetInfo } from '../store/schema';
import { buildTrainingFiles, openTrainingFiles, readManifest, type BuildProgress, type ChunkReader, type TrainingFiles } from './training-files';
import { removeOrphanTrainingFiles, removeTrainingFiles, trainingFolder } from './files.opfs';
import type { FileFolder } from './files';
import { ensureSpace } from '../store/space';

export { trainingFileBytes } from './files.opfs';

/** The folder of a dataset version's files: training files, and the indexes evaluation keeps (BM25, vectors). */
export function datasetFolder(info: DatasetInfo): Promise<FileFolder> {
  return trainingFolder(info.id, String(info.updatedAt));
}

export async function ensureTrainingFiles(info: DatasetInfo, onProgress: BuildProgress): Promise<TrainingFiles> {
  if (info.status !== 'ready') throw new Error(`dataset "${info.name}" is not completely imported`);
  const version = String(info.updatedAt);
  const folder = await datasetFolder(info);
  let manifest = await readManifest(folder);
  if (!manifest) {
    // Files of deleted datasets and of this dataset's older versions are dead weight on disk.
    await removeOrphanTrainingFiles(new Set((await listDatasets()).map((d) => d.id))).catch(() => undefined);
    await removeTrainingFiles(info.id, version);
    const read: ChunkReader = (table, visit) => forEachChunk(info.id, table, visit);
    manifest = await buildTrainingFiles(folder, read, info.counts, onProgress, (bytes) => checkSpace(info, bytes, 'the training files'));
  }
  return openTrainingFiles(folder, manifest);
}

/** Refuses a build the browser's storage quota cannot hold, saying what needs how much and how much is left. */
export async function checkSpace(info: DatasetInfo, bytes: number, what: string): Promise<void> {
  await ensureSpace(bytes, `${what} of dataset "${info.name}" need`, 'Delete datasets under Storage, or free disk space, and start again');
}
