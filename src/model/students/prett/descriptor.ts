/** PreTTR as the page and the stores know it (no tfjs): see ./model.ts for the student itself. */
import type { StudentDescriptor } from '../descriptor';

export const prett = {
  name: 'prett',
  label: 'PreTTR: query and passage apart in lower layers, joint upper layers',
  fields: ['jointLayers'],
  sequences: 'joined',
  pairCut: 'sides',
  pretrained: 'encoder',
  // `layers` is where the checkpoint's stack is split (the run config's); the joint layers are the rest.
  fromCheckpoint: ['hidden', 'heads', 'ffn', 'jointLayers'],
  handoff: { refused: 'PreTTR (split encoder with joint upper layers) has no counterpart in sentence-transformers' },
  encoderLength: (c) => c.queryLength + c.passageLength + 3,
  encoderLayers: (c) => c.layers + c.jointLayers,
  // The score head over [CLS]: a weight per hidden unit and a bias.
  headParameters: (c) => c.hidden + 1,
  check: (c) => (c.jointLayers < 1 ? 'PreTTR needs at least one joint layer' : null),
  trainingStepFlops: () => null,
  // `[CLS] q [SEP]` and `p [SEP]` apart through the lower layers, then the joined sequence through the joint ones.
  sequenceGroups: (c, triples) => [
    { rows: 2 * triples, length: c.queryLength + 2, layers: c.layers, embedded: true, finalNorm: false },
    { rows: 2 * triples, length: c.passageLength + 1, layers: c.layers, embedded: true, finalNorm: false },
    { rows: 2 * triples, length: c.queryLength + c.passageLength + 3, layers: c.jointLayers, embedded: false, finalNorm: true },
  ],
  headElements: () => 0,
  largestHeadTensor: () => null,
} as const satisfies StudentDescriptor<'prett'>;
