/** BERT_CAT as the page and the stores know it (no tfjs): see ./model.ts for the student itself. */
import type { StudentDescriptor } from '../descriptor';

export const cat = {
  name: 'cat',
  label: 'BERT_CAT: [CLS] q [SEP] p [SEP] cross-encoder',
  fields: [],
  sequences: 'joined',
  pairCut: 'longest-first',
  pretrained: 'encoder',
  fromCheckpoint: ['hidden', 'heads', 'ffn', 'layers'],
  handoff: { kind: 'cross-encoder' },
  encoderLength: (c) => c.queryLength + c.passageLength + 3,
  encoderLayers: (c) => c.layers,
  headParameters: (c) => c.hidden + 1,
  check: (c) => (c.layers < 1 ? 'the cat student needs layers of at least 1 (with none, its [CLS] never sees the passage)' : null),
  trainingStepFlops: () => null,
  sequenceGroups: (c, triples) => [{ rows: 2 * triples, length: c.queryLength + c.passageLength + 3, layers: c.layers, embedded: true, finalNorm: true }],
  headElements: () => 0,
  largestHeadTensor: () => null,
} as const satisfies StudentDescriptor<'cat'>;
