/**
 * The tfjs weights layout: a `model.json` whose `weightsManifest` lists every weight's name, shape and dtype in the
 * order their bytes sit in `weights.bin`, which tfjs's own `io.decodeWeights` reads. The students are plain
 * functions of their weights, not tfjs Layers or graph models, so `modelTopology` stays empty; what the weights
 * mean (architecture, sizes, tokenizer) is in `userDefinedMetadata`.
 */
import type { NamedTensor } from './safetensors';

export const WEIGHTS_FILE = 'weights.bin';

export interface TfjsArtifacts {
  modelJson: string;
  weights: Uint8Array;
}

export function writeTfjs(tensors: readonly NamedTensor[], metadata: Record<string, string>): TfjsArtifacts {
  const total = tensors.reduce((n, t) => n + t.data.length * 4, 0);
  const weights = new Uint8Array(total);
  const view = new DataView(weights.buffer);
  let at = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) {
      if (t.dtype === 'F32') view.setFloat32(at, t.data[i] as number, true);
      else view.setInt32(at, t.data[i] as number, true);
    }
  }
  const model = {
    format: 'margin-studio-student',
    generatedBy: 'Margin Studio',
    convertedBy: null,
    modelTopology: null,
    userDefinedMetadata: metadata,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype === 'F32' ? 'float32' : 'int32' })) }],
  };
  return { modelJson: JSON.stringify(model, null, 1), weights };
}
