/** BERT_DOT as the page and the stores know it (no tfjs): see ./model.ts for the student itself. */
import { separateEncodingStepFlops, separateSequenceGroups, type StudentDescriptor } from '../descriptor';

export const dot = {
  name: 'dot',
  label: 'BERT_DOT: one encoder, pooled vectors, dot product',
  fields: ['pooling', 'denseDim'],
  sequences: 'apart',
  pairCut: 'sides',
  pretrained: 'encoder',
  fromCheckpoint: ['hidden', 'heads', 'ffn', 'layers'],
  handoff: { kind: 'bi-encoder' },
  // Single texts, plus the leading [CLS] that cls pooling reads.
  encoderLength: (c) => Math.max(c.queryLength, c.passageLength) + 1,
  encoderLayers: (c) => c.layers,
  headParameters: () => 0,
  check: () => null,
  trainingStepFlops: separateEncodingStepFlops,
  sequenceGroups: (c, triples) => separateSequenceGroups(c, triples, c.pooling === 'cls' ? 1 : 0),
  headElements: () => 0,
  largestHeadTensor: () => null,
} as const satisfies StudentDescriptor<'dot'>;
