/**
 * Parameter counts from the configured sizes alone, without tfjs, so the page can show the size of a student
 * while it is being configured. The students' tests check each count against the weights actually built.
 */
import type { Arch } from './archs';
import type { StudentConfig } from './config';

/** The weights of `defineEncoder`: embeddings, `layers` pre-norm transformer layers, the final layer norm. */
export function encoderParameterCount(dims: { vocabSize: number; maxLength: number; hidden: number; ffn: number; layers: number }): number {
  const d = dims.hidden;
  const layer = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * dims.ffn + dims.ffn) + (dims.ffn * d + d);
  return dims.vocabSize * d + dims.maxLength * d + dims.layers * layer + 2 * d;
}

/** Longest sequence each student's encoder reads: single texts (plus a [CLS] for dot), or both joined. */
export function encoderLength(arch: Arch, c: Pick<StudentConfig, 'queryLength' | 'passageLength'>): number {
  switch (arch) {
    case 'dot':
      return Math.max(c.queryLength, c.passageLength) + 1;
    case 'colbert':
    case 'tk':
      return Math.max(c.queryLength, c.passageLength);
    case 'prett':
    case 'cat':
      return c.queryLength + c.passageLength + 3;
  }
}

/** Transformer layers of each student's encoder. */
export function encoderLayers(arch: Arch, c: Pick<StudentConfig, 'layers' | 'jointLayers'>): number {
  return arch === 'prett' ? c.layers + c.jointLayers : c.layers;
}

export function countParameters(arch: Arch, c: StudentConfig): number {
  const encoder = encoderParameterCount({ vocabSize: c.vocabSize, maxLength: encoderLength(arch, c), hidden: c.hidden, ffn: c.ffn, layers: encoderLayers(arch, c) });
  switch (arch) {
    case 'dot':
      return encoder;
    case 'colbert':
      return encoder + c.hidden * c.compressDim;
    case 'tk':
      // The mixing weight and the linear layer over the 11 kernels.
      return encoder + 1 + 11;
    case 'prett':
    case 'cat':
      return encoder + c.hidden + 1;
  }
}
