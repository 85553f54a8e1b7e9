/** Test helper: teacher provenance as a job of one library cross-encoder records it, with fields overridden. */
import type { TeacherProvenance } from '../data/provenance';

export function sampleProvenance(over: Partial<TeacherProvenance> = {}): TeacherProvenance {
  return {
    teachers: [{ id: 'model-1', name: 'bert-cross-encoder' }],
    standardised: false,
    negatives: { source: 'bm25', fromRank: 1, toRank: 50, perPositive: 4, seed: 42 },
    positiveGrade: 1,
    maxLength: 64,
    maxQueryTokens: 30,
    falseNegatives: null,
    pairsScored: 60,
    triples: 40,
    dropped: 0,
    ...over,
  };
}
