/** TK as the page and the stores know it (no tfjs): see ./model.ts for the student itself. */
import { separateSequenceGroups, type StudentDescriptor } from '../descriptor';

/** The centres of TK's 11 Gaussian kernels over cosine similarity (sigma 0.1); mu 1.0 counts exact matches. */
export const KERNEL_MU: readonly number[] = [1.0, 0.9, 0.7, 0.5, 0.3, 0.1, -0.1, -0.3, -0.5, -0.7, -0.9];
export const KERNEL_SIGMA = 0.1;

export const tk = {
  name: 'tk',
  label: 'TK: contextualised tokens, 11 RBF kernels over cosine matches',
  fields: [],
  sequences: 'apart',
  pairCut: 'sides',
  // Its own small transformer on the checkpoint's word embeddings: only the width comes from the checkpoint.
  pretrained: 'word-embeddings',
  fromCheckpoint: ['hidden'],
  handoff: { refused: "TK (RBF kernels over the studio's own small transformer) has no counterpart in sentence-transformers" },
  encoderLength: (c) => Math.max(c.queryLength, c.passageLength),
  encoderLayers: (c) => c.layers,
  // The mixing weight and the linear layer over the kernels.
  headParameters: () => 1 + KERNEL_MU.length,
  check: () => null,
  // Not counted: the kernel responses are elementwise work that a matrix-product rate does not describe.
  trainingStepFlops: () => null,
  sequenceGroups: (c, triples) => separateSequenceGroups(c, triples),
  // Unit vectors (T·h), the cosine matrix (q·d), and the kernels' responses, about 5 tensors of q·d·11 on the way
  // (difference, square, scale, exp, masked), per pair for pos and neg.
  headElements: (c, triples) => (triples * c.queryLength + 2 * triples * c.passageLength) * c.hidden * 2 + 2 * triples * c.queryLength * c.passageLength * (1 + 5 * KERNEL_MU.length),
  largestHeadTensor: (c, triples) => ({
    elements: triples * c.queryLength * c.passageLength * KERNEL_MU.length,
    what: `TK kernel responses (${triples} pairs × ${c.queryLength} × ${c.passageLength} × ${KERNEL_MU.length})`,
  }),
} as const satisfies StudentDescriptor<'tk'>;
