/**
 * What an exported student's weights mean, as the string map both formats carry (safetensors `__metadata__`, tfjs
 * `userDefinedMetadata`). The reader (read-weights.ts) checks the same keys.
 */
import type { NamedTensor } from './safetensors';

export const WEIGHTS_FORMAT = 'margin-studio-student-v1';

export interface StudentDescription {
  arch: string;
  /** The student's sizes and tokenizer ids, as the model layer takes them. */
  dimensions: object;
  /** The tokenizer's id (e.g. `hash-v1`, `wordpiece-v1:bert-base-uncased`) and its vocabulary's SHA-256. */
  tokenizer: string;
  vocabulary: string;
  parameters: number;
  steps: number;
  /** The whole run config. */
  run: object;
}

export interface ExportedWeights {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

export function studentMetadata(d: StudentDescription): Record<string, string> {
  return {
    format: WEIGHTS_FORMAT,
    arch: d.arch,
    dimensions: JSON.stringify(d.dimensions),
    tokenizer: d.tokenizer,
    vocabulary: d.vocabulary,
    parameters: String(d.parameters),
    steps: String(d.steps),
    run: JSON.stringify(d.run),
  };
}
