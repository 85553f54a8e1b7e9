/**
 * Reads exported weights back: a safetensors file, or a tfjs `model.json` with its `weights.bin`. Either way the
 * result is the tensors and the metadata the studio wrote, checked for the studio's format.
 */
import { readSafetensors, SafetensorsError, type NamedTensor } from './safetensors';
import { WEIGHTS_FILE } from './tfjs';

import { WEIGHTS_FORMAT, type ExportedWeights } from './metadata';
import { errorMessage } from '../util/errors';

export type ImportedWeights = ExportedWeights;

function checkMetadata(metadata: Record<string, string>, fileName: string): void {
  if (metadata.format !== WEIGHTS_FORMAT) throw new SafetensorsError(`${fileName}: not a Margin Studio student (metadata format is ${JSON.stringify(metadata.format ?? null)}, expected ${WEIGHTS_FORMAT})`);
  for (const key of ['arch', 'run', 'tokenizer']) {
    if (!metadata[key]) throw new SafetensorsError(`${fileName}: the metadata has no ${key}`);
  }
}

export function readSafetensorsWeights(bytes: Uint8Array, fileName: string): ImportedWeights {
  const file = readSafetensors(bytes, fileName);
  checkMetadata(file.metadata, fileName);
  return file;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
}

export function readTfjsWeights(modelJson: string, weights: Uint8Array, fileName = 'model.json'): ImportedWeights {
  let model: { userDefinedMetadata?: Record<string, string>; weightsManifest?: { paths?: string[]; weights?: ManifestEntry[] }[] };
  try {
    model = JSON.parse(modelJson) as typeof model;
  } catch (err) {
    throw new SafetensorsError(`${fileName}: not JSON (${errorMessage(err)})`);
  }
  const group = model.weightsManifest?.[0];
  if (!group || !Array.isArray(group.weights) || model.weightsManifest?.length !== 1) throw new SafetensorsError(`${fileName}: expected one weights group in weightsManifest`);
  if (group.paths?.length !== 1 || group.paths[0] !== WEIGHTS_FILE) throw new SafetensorsError(`${fileName}: expected its weights in one file, ${WEIGHTS_FILE}`);
  const metadata = model.userDefinedMetadata ?? {};
  checkMetadata(metadata, fileName);
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const tensors: NamedTensor[] = [];
  let at = 0;
  for (const w of group.weights) {
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new SafetensorsError(`${fileName}: weight ${w.name} has dtype ${w.dtype}; float32 or int32 expected`);
    if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`${fileName}: weight ${w.name} has shape ${JSON.stringify(w.shape)}`);
    const count = w.shape.reduce((a, b) => a * b, 1);
    if (at + count * 4 > weights.byteLength) throw new SafetensorsError(`${WEIGHTS_FILE}: ${weights.byteLength} bytes, too short for the weights ${fileName} lists (${w.name} ends past the end)`);
    const data = w.dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
    for (let i = 0; i < count; i++, at += 4) data[i] = w.dtype === 'float32' ? view.getFloat32(at, true) : view.getInt32(at, true);
    tensors.push({ name: w.name, dtype: w.dtype === 'float32' ? 'F32' : 'I32', shape: w.shape, data });
  }
  if (at !== weights.byteLength) throw new SafetensorsError(`${WEIGHTS_FILE}: ${weights.byteLength - at} bytes more than the weights ${fileName} lists`);
  return { tensors, metadata };
}
