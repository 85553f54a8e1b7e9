/** Downloads the current student's weights as safetensors or in the tfjs layout. */
import { writeSafetensors } from '../export/safetensors';
import { writeTfjs, WEIGHTS_FILE } from '../export/tfjs';
import type { ExportedWeights } from '../train/protocol';
import { trainerClient } from './training';

export type ExportFormat = 'safetensors' | 'tfjs';

function download(name: string, parts: BlobPart[], type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it starts; the URL can go after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name stem saying what the weights are: architecture, loss, steps. */
export function exportName(w: ExportedWeights): string {
  const run = JSON.parse(w.metadata.run ?? '{}') as { loss?: string };
  return `${w.metadata.arch}-${run.loss ?? 'student'}-step${w.metadata.steps}`;
}

export async function exportStudent(format: ExportFormat): Promise<void> {
  const weights = (await trainerClient().request({ type: 'export' })) as ExportedWeights;
  if (format === 'safetensors') {
    download(`${exportName(weights)}.safetensors`, [writeSafetensors(weights.tensors, weights.metadata) as Uint8Array<ArrayBuffer>], 'application/octet-stream');
  } else {
    const { modelJson, weights: bin } = writeTfjs(weights.tensors, weights.metadata);
    // model.json names its weights file; both must sit in one folder under these names.
    download('model.json', [modelJson], 'application/json');
    download(WEIGHTS_FILE, [bin as Uint8Array<ArrayBuffer>], 'application/octet-stream');
  }
}
