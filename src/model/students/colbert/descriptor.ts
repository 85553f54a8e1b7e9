/** ColBERT as the page and the stores know it (no tfjs): see ./model.ts for the student itself. */
import { separateEncodingStepFlops, separateSequenceGroups, type StudentDescriptor } from '../descriptor';

export const colbert = {
  name: 'colbert',
  label: 'ColBERT: per-token vectors, sum of max similarities',
  fields: ['compressDim'],
  sequences: 'apart',
  pairCut: 'sides',
  pretrained: 'encoder',
  fromCheckpoint: ['hidden', 'heads', 'ffn', 'layers'],
  handoff: { refused: 'ColBERT (per-token vectors, sum of max similarities) is not a sentence-transformers model class' },
  encoderLength: (c) => Math.max(c.queryLength, c.passageLength),
  encoderLayers: (c) => c.layers,
  // The projection to compressDim, without a bias.
  headParameters: (c) => c.hidden * c.compressDim,
  check: () => null,
  trainingStepFlops: separateEncodingStepFlops,
  sequenceGroups: (c, triples) => separateSequenceGroups(c, triples),
  // Projection and its normalisation (3 tensors of T·c per side), then per pair the similarity matrix and its masked
  // copy (2 · q·d), for pos and neg.
  headElements: (c, triples) => 3 * (triples * c.queryLength + 2 * triples * c.passageLength) * c.compressDim + 2 * 2 * triples * c.queryLength * c.passageLength,
  largestHeadTensor: () => null,
} as const satisfies StudentDescriptor<'colbert'>;
