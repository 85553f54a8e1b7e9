/** The student's part of a run config, with what it needs of the dataset's tokenizer. */
import type { StudentConfig } from '../model/students/config';
import type { RunConfig } from '../config/run-config';

export function studentConfig(config: RunConfig, tokenizer: { vocabSize: number; cls: number; sep: number }): StudentConfig {
  const { queryLength, passageLength, hidden, heads, ffn, layers, pooling, compressDim, jointLayers } = config;
  return { queryLength, passageLength, hidden, heads, ffn, layers, pooling, compressDim, jointLayers, vocabSize: tokenizer.vocabSize, cls: tokenizer.cls, sep: tokenizer.sep };
}
