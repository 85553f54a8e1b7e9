import { describe, expect, it } from 'vitest';
import { parseProvenance, provenanceJson, type TeacherProvenance } from './provenance';
import { sampleProvenance } from '../testing/provenance';

const P: TeacherProvenance = sampleProvenance({
  teachers: [
    { id: 'model-1', name: 'bert-cross-encoder' },
    { id: 'model-2', name: 'minilm-cross-encoder' },
  ],
  standardised: true,
  maxLength: 256,
  falseNegatives: { fraction: 0.95, on: 'sigmoid' },
  pairsScored: 2000,
  triples: 1580,
  dropped: 20,
});

describe('teacher provenance', () => {
  it('round-trips through its JSON, every field', () => {
    expect(parseProvenance(JSON.parse(provenanceJson(P)))).toEqual(P);
    const none = { ...P, teachers: [P.teachers[0]!], standardised: false, falseNegatives: null };
    expect(parseProvenance(JSON.parse(provenanceJson(none)))).toEqual(none);
  });

  it('names the field an edited file got wrong', () => {
    const bad = (change: (p: Record<string, any>) => void) => {
      const p = JSON.parse(JSON.stringify(P)) as Record<string, any>;
      change(p);
      return () => parseProvenance(p);
    };
    expect(bad((p) => (p.teachers = []))).toThrow('teacher provenance: teachers must list at least one cross-encoder');
    expect(bad((p) => (p.teachers[1].name = ''))).toThrow('teachers[1].name must be a non-empty string');
    expect(bad((p) => (p.negatives.source = 'random'))).toThrow('negatives.source must be one of bm25, dense, run, got "random"');
    expect(bad((p) => (p.negatives.toRank = 0))).toThrow('negatives.toRank must be a whole number of at least 1, got 0');
    expect(bad((p) => (p.falseNegatives.fraction = 1.5))).toThrow('falseNegatives.fraction must lie in (0, 1], got 1.5');
    expect(bad((p) => (p.maxLength = 3))).toThrow('maxLength must be a whole number of at least 4, got 3');
    expect(bad((p) => (p.dropped = -1))).toThrow('dropped must be a whole number of at least 0, got -1');
    expect(bad((p) => (p.teachers = [p.teachers[0]]))).toThrow('standardised cannot be true with one teacher');
    expect(() => parseProvenance(null)).toThrow('teacher provenance: the whole must be an object');
  });
});
